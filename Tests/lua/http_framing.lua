-- Strict framing (issue 12 item 5): transfer-coding lists, bare LF in chunk
-- extensions and trailer lines without a colon are 400; leading zeros in
-- Content-Length are fine; chunked twice is 400.
local http = require 'http'
local socket = require 'socket'
local srv = assert(http.serve('127.0.0.1', 0, function(req) return 200, 'got ' .. req.body end))
local _, port = srv:getsockname()
local function status(data)
  local c = assert(socket.connect('127.0.0.1', port))
  c:write(data)
  local reply = c:read(nil, 2) or ''
  c:close()
  return reply:match('^HTTP/1%.1 (%d%d%d)'), reply:match('\r\n\r\n(.*)$')
end
local post = 'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
print('chunked, gzip', status(post .. 'Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n'))
print('chunked twice', status(post .. 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'))
print('bare LF in extension', status(post .. 'Transfer-Encoding: chunked\r\n\r\n3;a\nb\r\nabc\r\n0\r\n\r\n'))
print('trailer without colon', status(post .. 'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nnocolon\r\n\r\n'))
print('good trailer', status(post .. 'Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n'))
print('leading zeros', status(post .. 'Content-Length: 00000000000000000003\r\n\r\nabc'))
srv:close()

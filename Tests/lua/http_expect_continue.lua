-- http: a request with `Expect: 100-continue` gets `HTTP/1.1 100 Continue`
-- as soon as its head is read, before the client sends its body (a client
-- waits for it: curl a second). Once per request, never on HTTP/1.0, never
-- when the body is over max_body_size (413 at once).
local http = require 'http'
local socket = require 'socket'

local server = assert(http.serve('127.0.0.1', 0, function(req) return 200, 'got ' .. req.body end,
  { max_body_size = 100 }))
local _, port = server:getsockname()

local function head(v, length, extra)
  return 'POST / HTTP/1.' .. v .. '\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ' .. length .. '\r\n'
    .. (extra or '') .. '\r\n'
end

local c = assert(socket.connect('127.0.0.1', port))
assert(c:write(head(1, 5)))
print('interim:', c:readline(2))
print('blank:', c:readline(2) == '')
assert(c:write('hello'))
print('final:', c:readline(2))
repeat local line = c:readline(2) until line == ''
print('body:', c:read(9, 2))
-- The next request on the same connection gets its own 100.
assert(c:write(head(1, 3, 'Connection: close\r\n')))
print('second interim:', c:readline(2))
c:close()

-- HTTP/1.0: no interim reply (the read times out), the body is awaited.
c = assert(socket.connect('127.0.0.1', port))
assert(c:write(head(0, 2)))
print('1.0:', c:read(nil, 0.3))
c:close()

-- Over the limit: the 413 comes at once instead.
c = assert(socket.connect('127.0.0.1', port))
assert(c:write(head(1, 101)))
print('too big:', c:readline(2))
c:close()
server:close()

-- Bug 2 (RFC 9112): no chunked responses to HTTP/1.0 (stream by closing at the
-- end); a kept-alive 1.0 connection says Connection: keep-alive; a Date header;
-- 400 for HTTP/1.1 without Host; 400 for a transfer coding list other than
-- plain chunked ("gzip, chunked").
local http = require 'http'
local socket = require 'socket'
local sleep = require('time').sleep

local srv = assert(http.serve('127.0.0.1', 0, function(req, res)
  if req.path == '/stream' then
    res:write('part1 ')
    res:write('part2')
    res:finish()
    return
  end
  return 200, 'ok'
end))
local _, port = srv:getsockname()

-- the whole reply and whether the server closed within 2 s
local function exchange(data)
  local c = assert(socket.connect('127.0.0.1', port))
  c:write(data)
  local all, closed = {}, false
  local reader = spawn(function()
    while true do
      local chunk = c:read()
      if not chunk then closed = true; return end
      all[#all + 1] = chunk
    end
  end)
  local waited = 0
  while not closed and waited < 2 do sleep(0.01); waited = waited + 0.01 end
  local by_server = closed
  c:close()
  pcall(reader.join, reader)
  return table.concat(all), by_server
end

local reply, closed = exchange('GET /stream HTTP/1.0\r\n\r\n')
print('1.0 stream: chunked', reply:lower():find('transfer%-encoding: chunked') ~= nil,
  'body', reply:match('\r\n\r\n(.*)$'), 'closed', closed)

reply = exchange('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
print('1.0 keep-alive answered with Connection: keep-alive', reply:lower():find('\r\nconnection: keep%-alive\r\n') ~= nil)

reply = exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
print('Date header', reply:match('\r\nDate: %a%a%a, %d%d %a%a%a %d%d%d%d %d%d:%d%d:%d%d GMT\r\n') ~= nil)

reply, closed = exchange('GET / HTTP/1.1\r\n\r\n')
print('1.1 without Host:', reply:match('^HTTP/1%.1 (%d%d%d)'), 'closed', closed)

reply, closed = exchange('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')
print('gzip, chunked:', reply:match('^HTTP/1%.1 (%d%d%d)'), 'closed', closed)
srv:close()

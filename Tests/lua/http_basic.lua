-- http: request parsing, keep-alive, pipelining, chunked, limits, res API
local http = require 'http'
local socket = require 'socket'
local sleep = require('time').sleep

local srv = assert(http.serve('127.0.0.1', 0, function(req, res)
  if req.path == '/echo' then
    local hs = {}
    for k, v in pairs(req.headers) do hs[#hs + 1] = k .. '=' .. v end
    table.sort(hs)
    return 200, req.method .. ' ' .. req.path .. ' q=' .. tostring(req.query) .. ' body=' .. req.body
      .. ' headers=' .. table.concat(hs, ';'), { ['X-Server'] = 'moonbase' }
  elseif req.path == '/stream' then
    res:status(202)
    res:header('Content-Type', 'text/csv')
    res:write('a,b\n')
    res:write('1,2\n')
    res:finish()
  elseif req.path == '/finish' then
    res:status(404):header('X-Why', 'none')
    res:finish('not here')
  elseif req.path == '/fail' then
    error('boom', 0)
  else
    return 200, 'hello'
  end
end, { max_header_size = 1024, max_body_size = 64 }))
local _, port = srv:getsockname()

-- Sends raw bytes and reads until the server closes.
local function exchange(data)
  local c = assert(socket.connect('127.0.0.1', port))
  assert(c:write(data))
  local out = {}
  while true do
    local d = c:read()
    if not d then break end
    out[#out + 1] = d
    local s = table.concat(out)
  end
  c:close()
  return (table.concat(out):gsub('Date: [^\r]*\r\n', ''):gsub('\r\n', '|'))
end

print(exchange('GET /echo?x=1&y=2 HTTP/1.1\r\nHost: a\r\nX-Multi: 1\r\nx-multi: 2\r\nConnection: close\r\n\r\n'))
-- pipelining: three requests in one write, answered in order
print(exchange('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
-- chunked request body
print(exchange('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n'))
-- HTTP/1.0 closes by default; keep-alive on request
print(exchange('GET / HTTP/1.0\r\n\r\n'))
print(exchange('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n'))
-- streaming response (chunked), res:finish with status and headers, HEAD
print(exchange('GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /finish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
print(exchange('HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
-- errors: malformed, too large body, too large head, handler failure
print(exchange('NOT A REQUEST\r\n\r\n'))
print(exchange('GET / HTTP/2.0\r\n\r\n'))
print(exchange('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'))
print(exchange('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'))
print(exchange('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'))
print(exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n'))
print(exchange('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n' .. string.rep('x', 65) .. '\r\n0\r\n\r\n'))
print(exchange('GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' .. string.rep('y', 2000) .. '\r\n\r\n'))
print(exchange('GET /fail HTTP/1.1\r\nHost: x\r\n\r\n'))
-- the server is still up
print(exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
-- a request split over many writes
local c = assert(socket.connect('127.0.0.1', port))
local req = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc'
for i = 1, #req do c:write(req:sub(i, i)) end
local out = {}
while true do local d = c:read(); if not d then break end; out[#out + 1] = d end
print((table.concat(out):gsub('Date: [^\r]*\r\n', ''):gsub('\r\n', '|')))
c:close()
print(pcall(http.serve, '127.0.0.1', 0, 'nope'))
srv:close()

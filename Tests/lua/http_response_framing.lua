-- http responses frame themselves whatever the handler sets: a wrong
-- Content-Length is replaced (keep-alive stays in step), res:write after a
-- Content-Length header sends chunked alone, a list value sends one header
-- line per element (Set-Cookie), and a bad status, body or headers returned,
-- or a bad res:status, gets a 500 instead of a closed connection.
local http = require 'http'
local socket = require 'socket'

local srv = assert(http.serve('127.0.0.1', 0, function(req, res)
  local p = req.path
  if p == '/wrong-length' then return 200, 'hello', { ['Content-Length'] = '100' }
  elseif p == '/short-length' then return 200, 'hello world', { ['content-length'] = 3 }
  elseif p == '/length-then-write' then
    res:header('Content-Length', '5')
    res:write('abc'); res:write('de')
    return
  elseif p == '/cookies' then return 200, 'c', { ['Set-Cookie'] = { 'a=1; Path=/', 'b=2', 'c=3' } }
  elseif p == '/cookies-res' then res:header('Set-Cookie', { 'x=1', 'y=2' }); res:finish('r'); return
  elseif p == '/bad-status' then return 'abc', 'x'
  elseif p == '/status-range' then return 1000, 'x'
  elseif p == '/bad-body' then return 200, {}
  elseif p == '/bad-headers' then return 200, 'x', 'headers'
  elseif p == '/bad-res-status' then res:status(0); res:finish('x'); return
  end
  return 200, 'fine'
end))
local _, port = srv:getsockname()

-- One keep-alive connection: reads one response (Content-Length or chunked).
local c = assert(socket.connect('127.0.0.1', port))
local function response()
  local head = {}
  local status = c:readline(2)
  if not status then return nil end
  while true do
    local line = assert(c:readline(2))
    if line == '' then break end
    head[#head + 1] = line
  end
  local len, chunked, cookies = nil, false, {}
  for _, h in ipairs(head) do
    local n, v = h:match('^([^:]+): (.*)$')
    n = n:lower()
    if n == 'content-length' then
      assert(not len, 'two Content-Length headers')
      len = tonumber(v)
    end
    if n == 'transfer-encoding' then chunked = true end
    if n == 'set-cookie' then cookies[#cookies + 1] = v end
  end
  local body
  if chunked then
    local parts = {}
    while true do
      local size = tonumber(assert(c:readline(2)), 16)
      if size == 0 then assert(c:readline(2) == ''); break end
      parts[#parts + 1] = c:read(size, 2)
      assert(c:readline(2) == '')
    end
    body = table.concat(parts)
  else
    body = len > 0 and c:read(len, 2) or ''
  end
  return status, body, (len and 'length ' .. len or '') .. (chunked and 'chunked' or ''), #cookies > 0 and cookies or nil
end
local function get(path)
  assert(c:write('GET ' .. path .. ' HTTP/1.1\r\nHost: x\r\n\r\n'))
  return response()
end

print(get('/wrong-length'))
print('next on the same connection', get('/'))
print(get('/short-length'))
print('next on the same connection', get('/'))
print(get('/length-then-write'))
print('next on the same connection', get('/'))
local status, body, framing, cookies = get('/cookies')
print(status, body, framing, table.concat(cookies, ' | '))
status, body, framing, cookies = get('/cookies-res')
print(status, body, framing, table.concat(cookies, ' | '))
for _, p in ipairs({ '/bad-status', '/status-range', '/bad-body', '/bad-headers', '/bad-res-status' }) do
  c:close()
  c = assert(socket.connect('127.0.0.1', port))
  print(p, get(p))
end
c:close()
srv:close()

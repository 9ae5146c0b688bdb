-- What readline and read(n) return when the peer closes mid-way, and
-- socket.serve on a Unix socket.
local socket = require 'socket'

local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()

-- Each case: the peer writes `data` and closes; the client reads with `how`
-- until the stream ends.
local function after_peer_sends(data, how)
  local server = spawn(function()
    local c = assert(l:accept())
    assert(c:write(data))
    c:close()
  end)
  local c = assert(socket.connect('127.0.0.1', port))
  server:join()
  local results = {}
  for _ = 1, 4 do
    local v, err = how(c)
    results[#results + 1] = v and string.format('%q', v) or ('nil,' .. tostring(err))
    if not v then break end
  end
  c:close()
  return table.concat(results, ' ')
end

print('readline, last line unterminated:', after_peer_sends('one\ntwo\r\npartial', function(c) return c:readline() end))
print('readline, last line terminated:', after_peer_sends('one\n', function(c) return c:readline() end))
print('readline, nothing sent:', after_peer_sends('', function(c) return c:readline() end))
print('readline, empty lines:', after_peer_sends('\n\r\n', function(c) return c:readline() end))
print('read(4), fewer bytes left:', after_peer_sends('abcdefg', function(c) return c:read(4) end))
-- the bytes a short read(n) could not return stay buffered: read() gets them
local once = false
print('read(4) short, then read():', after_peer_sends('abcdefg', function(c)
  if once then return nil, 'done' end
  once = true
  local results = { c:read(4) }
  for _, v in ipairs({ { c:read(4) }, { c:read() }, { c:read() } }) do
    results[#results + 1] = v[1] or ('nil,' .. v[2])
  end
  return table.concat(results, ' ')
end))
print('read(4), exact multiple:', after_peer_sends('abcdefgh', function(c) return c:read(4) end))
print('read(), then end:', after_peer_sends('xyz', function(c) return c:read() end))
print('socket.readline, socket.read(n):', after_peer_sends('a\nbc', function(c)
  return socket.readline(c)
end), after_peer_sends('abc', function(c) return socket.read(c, 2) end))
l:close()

-- serve on a Unix socket: host "unix", port the path
local path = os.tmpname(); os.remove(path)
local handled = 0
local srv = assert(socket.serve('unix', path, function(conn)
  handled = handled + 1
  local line = conn:readline()
  conn:write('echo ' .. line .. '\n')
end))
print('serving at the path:', srv:getsockname() == path)
for i = 1, 3 do
  local c = assert(socket.connect('unix', path))
  c:write('unix client ' .. i .. '\n')
  print(c:readline(), c:read())
  c:close()
end
print('handled', handled)
srv:close()
print('path removed on close:', io.open(path) == nil)
print('connect after close:', socket.connect('unix', path))

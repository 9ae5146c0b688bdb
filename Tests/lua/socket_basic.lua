-- socket: listen/accept/connect/read/readline/read(n)/write/close, names, nodelay, serve
local socket = require 'socket'
local sleep = require('time').sleep

for _, host in ipairs({ '127.0.0.1', '::1' }) do
  local l = assert(socket.listen('tcp', host, 0, { backlog = 16 }))
  local h, port = socket.getsockname(l)
  print('listening', h, port > 0)
  local server = spawn(function()
    local c = assert(socket.accept(l))
    local ph, pp = socket.getpeername(c)
    print('peer', ph, type(pp))
    print('nodelay', socket.setnodelay(c, true))
    while true do
      local d, e = socket.read(c)
      if not d then return e end
      assert(socket.write(c, d))
    end
  end)
  local c = assert(socket.connect(host, port))
  local sh, sp = socket.getsockname(c)
  print('client name', sh, type(sp))
  print('write', socket.write(c, 'line one\r\nline two\nrest'))
  print('readline', c:readline())
  print('readline', c:readline())
  print('read(4)', c:read(4))
  -- a big write and exact read of the echo: back-pressure and buffering
  local big = string.rep('0123456789', 100000)
  spawn(function() assert(c:write(big)) end)
  local got = c:read(#big)
  print('big echo', #got, got == big)
  print('read(0)', c:read(0) == '')
  socket.close(c)
  print('server got', server:join())
  print('read after close', socket.read(c))
  print('write after close', socket.write(c, 'x'))
  print('close twice', socket.close(c))
  l:close()
  print('accept after close', socket.accept(l))
end

-- names resolved without blocking
local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()
spawn(function() local c = l:accept(); c:write('hi'); c:close() end)
local c = assert(socket.connect('localhost', port))
print('localhost', c:read())
print('eof', c:read())
c:close()
l:close()

-- serve: one fiber per connection, conn closed when the handler returns or fails
local n = 0
local srv = assert(socket.serve('127.0.0.1', 0, function(conn)
  n = n + 1
  local line = conn:readline()
  if line == 'fail' then error('handler failed on purpose', 0) end
  conn:write('echo:' .. line .. '\n')
end))
local _, sport = srv:getsockname()
local clients = {}
for i = 1, 3 do
  clients[i] = spawn(function()
    local c = assert(socket.connect('127.0.0.1', sport))
    c:write('client' .. i .. '\n')
    local r = c:readline()
    local e1, e2 = c:read()
    c:close()
    return r, e1, e2
  end)
end
for i = 1, 3 do print(clients[i]:join()) end
local c = assert(socket.connect('127.0.0.1', sport))
c:write('fail\n')
print('after handler error', c:read())
c:close()
print('connections', n)
srv:close()

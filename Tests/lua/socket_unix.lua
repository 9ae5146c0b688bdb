-- Unix sockets, SO_REUSEPORT listeners, the lunet.socket face
local socket = require 'socket'
local sleep = require('time').sleep

local path = '/tmp/moonbase-test-' .. tostring(os.time()) .. '-' .. tostring(math.random(1e9)) .. '.sock'
os.remove(path)
local l = assert(socket.listen('unix', path))
print('unix name', socket.getsockname(l) == path)
print('unix in use', socket.listen('unix', path))
spawn(function()
  local c = assert(l:accept())
  local line = c:readline()
  c:write('got ' .. line .. '\n')
  c:close()
end)
local c = assert(socket.connect('unix', path))
c:write('over unix\n')
print(c:readline())
print(c:read())
c:close()
l:close()
print('path removed on close', io.open(path) == nil)
print('connect missing', socket.connect('unix', path))

-- SO_REUSEPORT: two listeners on one port, in two fibers
local l1 = assert(socket.listen('tcp', '127.0.0.1', 0, { reuseport = true }))
local _, port = l1:getsockname()
local l2, err = socket.listen('tcp', '127.0.0.1', port, { reuseport = true })
print('second reuseport listener', l2 ~= nil, err)
print('without reuseport', socket.listen('tcp', '127.0.0.1', port))
local served = { 0, 0 }
for i, lis in ipairs({ l1, l2 }) do
  spawn(function()
    while true do
      local conn = lis:accept()
      if not conn then return end
      served[i] = served[i] + 1
      conn:write('from ' .. i)
      conn:close()
    end
  end)
end
local replies = 0
for i = 1, 40 do
  local cc = assert(socket.connect('127.0.0.1', port))
  if cc:read():match('^from %d$') then replies = replies + 1 end
  cc:close()
end
print('replies', replies, 'both listeners served', served[1] > 0 and served[2] > 0, served[1] + served[2])
l1:close(); l2:close()

-- lunet.socket: nil on success, nil, nil at end of stream, '/' means a unix path
local lsock = require 'lunet.socket'
print('lunet.socket is its own module', lsock ~= socket, require('lunet').socket == lsock)
local l3 = assert(lsock.listen('tcp', '127.0.0.1', 0))
local _, p3 = lsock.getsockname(l3)
spawn(function()
  local s = assert(lsock.accept(l3))
  while true do
    local d, e = lsock.read(s)
    if d == nil then print('lunet eof', d, e) break end
    print('lunet write', lsock.write(s, d))
  end
  print('lunet close', lsock.close(s))
end)
local lc = assert(lsock.connect('127.0.0.1', p3))
print('lunet client write', lsock.write(lc, 'ping'))
print('lunet read', lsock.read(lc))
lsock.close(lc)
sleep(0.02)
print('lunet write after close', lsock.write(lc, 'x'))
lsock.close(l3)
local upath = path .. '2'
local l4 = assert(lsock.listen('tcp', upath, 0))
spawn(function() local s = lsock.accept(l4); lsock.write(s, 'unix via lunet'); lsock.close(s) end)
local uc = assert(lsock.connect(upath, 0))
print(lsock.read(uc))
print(lsock.read(uc))
lsock.close(uc)
lsock.close(l4)

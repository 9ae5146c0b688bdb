-- socket error paths: refused, in use, reset, closed peer, interrupt, wrong types
local socket = require 'socket'
local sleep = require('time').sleep

-- connection refused: a port just released
local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()
-- address in use
print('in use', socket.listen('tcp', '127.0.0.1', port))
l:close()
print('refused', socket.connect('127.0.0.1', port))
-- a name that does not resolve: EAI_NONAME (EAI_AGAIN where no DNS server answers)
local function lookup_failed(r, err) return r == nil and (err == 'EAI_NONAME' or err == 'EAI_AGAIN') end
print('listen on an unknown name fails', lookup_failed(socket.listen('tcp', 'no-such-host.invalid', 1)))
print('unknown host', lookup_failed(socket.connect('no-such-host.invalid', 80)))

-- peer reset: the server closes with unread data, the client sees ECONNRESET
l = assert(socket.listen('tcp', '127.0.0.1', 0))
_, port = l:getsockname()
local c = assert(socket.connect('127.0.0.1', port))
local s = assert(l:accept())
c:write('unread data')
sleep(0.02)
s:close()
sleep(0.02)
local d, err = c:read()
print('reset read', d, err)
local ok, werr = c:write('more')
if not ok then
  print('write to closed peer', ok, werr == 'EPIPE' or werr == 'ECONNRESET' or werr)
else
  ok, werr = c:write('more')
  print('write to closed peer', ok, werr == 'EPIPE' or werr == 'ECONNRESET' or werr)
end
c:close()

-- write to a peer that closed cleanly: eventually EPIPE/ECONNRESET
c = assert(socket.connect('127.0.0.1', port))
s = assert(l:accept())
s:close()
print('read at eof', c:read())
local werr2
for i = 1, 100 do
  local ok2, e = c:write(string.rep('x', 65536))
  if not ok2 then werr2 = e break end
  sleep(0.001)
end
print('write after peer closed', werr2 == 'EPIPE' or werr2 == 'ECONNRESET' or werr2)
c:close()

-- closing a socket wakes the fiber waiting on it
c = assert(socket.connect('127.0.0.1', port))
s = assert(l:accept())
local reader = spawn(function() return c:read() end)
local acceptor = spawn(function() return l:accept() end)
sleep(0.01)
c:close()
l:close()
print('reader woken', reader:join())
print('acceptor woken', acceptor:join())
s:close()

-- interrupt during accept, read and connect
l = assert(socket.listen('tcp', '127.0.0.1', 0))
_, port = l:getsockname()
local f = spawn(function() return l:accept() end)
sleep(0.01)
f:interrupt()
print('accept interrupted', pcall(f.join, f))
-- the listener still works after an interrupted accept
c = assert(socket.connect('127.0.0.1', port))
s = assert(l:accept())
print('accept after interrupt', s ~= nil)
f = spawn(function() return s:read() end)
sleep(0.01)
f:interrupt()
print('read interrupted', pcall(f.join, f))
c:write('still there')
print('read after interrupt', s:read())
f = spawn(function() return s:readline() end)
sleep(0.01)
f:interrupt()
print('readline interrupted', pcall(f.join, f))
-- an interruption requested before the fiber reaches connect raises there
f = spawn(function() return socket.connect('127.0.0.1', port) end)
f:interrupt()
print('connect interrupted', pcall(f.join, f))
c:close(); s:close(); l:close()

-- another fiber already reading
l = assert(socket.listen('tcp', '127.0.0.1', 0))
_, port = l:getsockname()
c = assert(socket.connect('127.0.0.1', port))
s = assert(l:accept())
local r1 = spawn(function() return s:read() end)
sleep(0.01)
print('two readers', pcall(socket.read, s))
c:write('x')
print('first reader', r1:join())
c:close(); s:close(); l:close()

-- wrong-type arguments raise named errors
print(pcall(socket.listen, 42))
print(pcall(socket.listen, 'udp', '127.0.0.1', 1))
print(pcall(socket.listen, 'tcp', '127.0.0.1', 'x'))
print(pcall(socket.listen, 'tcp', '127.0.0.1', 70000))
print(pcall(socket.listen, 'tcp', '127.0.0.1', 0, 'opts'))
print(pcall(socket.connect, nil, 1))
print(pcall(socket.connect, '127.0.0.1', 'x'))
print(pcall(socket.read, 'conn'))
print(pcall(socket.read, {}, 3))
print(pcall(socket.write, nil, 'x'))
print(pcall(socket.accept, 'l'))
print(pcall(socket.close, 1))
print(pcall(socket.getpeername, true))
print(pcall(socket.setnodelay))
l = assert(socket.listen('tcp', '127.0.0.1', 0))
print(pcall(socket.read, l))
print(pcall(socket.write, l, 'x'))
c = assert(socket.connect('127.0.0.1', select(2, l:getsockname())))
print(pcall(socket.write, c, {}))
print(pcall(socket.read, c, -1))
print(pcall(socket.accept, c))
c:close(); l:close()
-- interrupt a write waiting on a full kernel buffer (the peer does not read)
l = assert(socket.listen('tcp', '127.0.0.1', 0))
c = assert(socket.connect('127.0.0.1', select(2, l:getsockname())))
s = assert(l:accept())
local chunk = string.rep('w', 1024 * 1024)
local writes = 0
f = spawn(function()
  while true do assert(c:write(chunk)); writes = writes + 1 end
end)
sleep(0.05)
f:interrupt()
print('write interrupted', pcall(f.join, f))
-- the reader can still drain what was sent
local total = 0
while total < 1024 * 1024 do total = total + #assert(s:read()) end
print('drained at least a chunk', total >= 1024 * 1024)
c:close(); s:close(); l:close()
print('done')

-- host names: resolved with uv_getaddrinfo (only the calling fiber waits) for
-- connect, listen, udp.bind and udp.send; "localhost" works everywhere
local socket = require 'socket'
local udp = require 'udp'

local addresses = assert(socket.resolve('localhost'))
local has_ipv4 = false
for _, a in ipairs(addresses) do has_ipv4 = has_ipv4 or a == '127.0.0.1' end
print('resolve localhost', type(addresses), has_ipv4)
print('resolve a literal', socket.resolve('::1')[1], socket.resolve('10.1.2.3')[1])

-- listen on "localhost" binds 127.0.0.1; connect to "localhost" resolves the
-- name and tries its addresses in order
local l = assert(socket.listen('tcp', 'localhost', 0))
local host, port = l:getsockname()
print('listen localhost', host)
spawn(function()
  local c = assert(l:accept())
  c:write('hello ' .. (c:getpeername()))
  c:close()
end)
local c = assert(socket.connect('localhost', port))
print('connect localhost', c:read())
c:close()
l:close()

-- the same for udp
local a = assert(udp.bind('localhost', 0))
local b = assert(udp.bind('127.0.0.1', 0))
local ha, pa = a:getsockname()
print('udp bind localhost', ha)
local _, pb = b:getsockname()
print('udp send to localhost', a:send('localhost', pb, 'datagram'))
local data, from, from_port = b:recv()
print('udp got', data, from, from_port == pa)
a:close(); b:close()

-- interrupting a fiber waiting for a lookup: it raises, the late answer is dropped
local f = spawn(function() return socket.resolve('localhost') end)
this_fiber.yield()  -- f now waits in resolve
f:interrupt()
print('resolve interrupted', pcall(f.join, f))
f = spawn(function() return socket.connect('localhost', port) end)
this_fiber.yield()
f:interrupt()
print('connect interrupted while resolving', pcall(f.join, f))

-- wrong types raise, naming the function and the argument
print(pcall(socket.resolve, 42))
print(pcall(socket.connect, 'localhost', 'x'))
print(pcall(socket.listen, 'tcp', {}, 0))
print(pcall(udp.bind, 'localhost', 'p'))
print(pcall(udp.send, 'sock', 'localhost', 1, 'x'))

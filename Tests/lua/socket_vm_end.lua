-- The VM ends (its main fiber fails) while fibers wait in accept, read, write and
-- connect: every pending operation is cancelled and every handle closed, no crash.
local socket = require 'socket'
local udp = require 'udp'
local sleep = require('time').sleep

local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()
local l2 = assert(socket.listen('tcp', '127.0.0.1', 0))
spawn(function() l2:accept() end)
local c = assert(socket.connect('127.0.0.1', port))
local s = assert(l:accept())
spawn(function() c:read() end)
-- a writer blocked on a full kernel buffer (the peer never reads)
spawn(function()
  local chunk = string.rep('w', 1024 * 1024)
  while s:write(chunk) do end
end)
local u = assert(udp.bind('127.0.0.1', 0))
spawn(function() u:recv() end)
-- connections queued in a listener, never accepted
local l3 = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, p3 = l3:getsockname()
for i = 1, 3 do spawn(function() socket.connect('127.0.0.1', p3) end) end
sleep(0.05)
-- a name lookup in flight (spawn runs the fiber up to its suspension first)
spawn(function() socket.resolve('localhost') end)
this_fiber.yield()
print('failing now')
error('main fails on purpose')

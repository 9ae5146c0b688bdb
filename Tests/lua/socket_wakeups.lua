-- pending socket operations end when their fiber is interrupted or their socket
-- closed: connect in flight, read(n) half-met, a write waiting on a full buffer
local socket = require 'socket'

local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()

-- A connect in flight: spawn runs the fiber up to its suspension in connect
-- before this fiber resumes, so the interruption finds it waiting.
local l0 = assert(socket.listen('tcp', '127.0.0.1', 0))
local f = spawn(function() return socket.connect('127.0.0.1', select(2, l0:getsockname())) end)
this_fiber.yield()
f:interrupt()
print('connect in flight interrupted', pcall(f.join, f))
l0:close()

-- read(n) interrupted with part of n buffered: the bytes stay for the next read
local c = assert(socket.connect('127.0.0.1', port))
local s = assert(l:accept())
c:write('abc')
f = spawn(function() return s:read(6) end)
this_fiber.yield()
f:interrupt()
print('read(6) interrupted', pcall(f.join, f))
c:write('def')
print('read(6) after', s:read(6))

-- a writer waiting on a full kernel buffer is woken with nil, "closed" when
-- another fiber closes the connection
local chunk = string.rep('w', 1024 * 1024)
local writer = spawn(function()
  while true do
    local ok, werr = c:write(chunk)
    if not ok then return ok, werr end
  end
end)
this_fiber.yield()  -- the writer runs until it waits (1 MiB more than the buffer takes)
c:close()
print('writer woken by close', writer:join())
s:close()
l:close()

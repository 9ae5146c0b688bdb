-- Under forbid_suspend, socket I/O is a suspension point even when it could
-- complete at once (buffered data, a write the kernel takes): Emilua's I/O is
-- always asynchronous.
local socket = require 'socket'
local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local c = assert(socket.connect('127.0.0.1', select(2, l:getsockname())))
local s = l:accept()
c:write('hello\n')
require('time').sleep(0.05)
this_fiber.forbid_suspend()
print(pcall(c.write, c, 'x'))
print(pcall(s.readline, s))
this_fiber.allow_suspend()
print(s:readline())

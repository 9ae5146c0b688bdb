-- Timeouts on plain sockets: a per-call timeout and conn:settimeout on read,
-- readline, write and accept return nil, "timeout" no earlier than asked; a
-- read that timed out leaves the connection usable; a write that makes no
-- progress closes it. Out-of-range timeouts are bad arguments.
local socket = require 'socket'
local time = require 'time'

local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = l:getsockname()

local t0 = time.monotonic()
print('accept', l:accept(0.05))
print('accept waited enough', time.monotonic() - t0 >= 0.05)

local c = assert(socket.connect('127.0.0.1', port))
local s = assert(l:accept(1))

t0 = time.monotonic()
print('read', c:read(nil, 0.05))
print('read waited enough', time.monotonic() - t0 >= 0.05)
print('readline', c:readline(0.02))
s:write('late line\n')
print('still usable', c:readline(1))

c:settimeout(0.03)
t0 = time.monotonic()
print('read(n) with settimeout', c:read(4))
print('waited enough', time.monotonic() - t0 >= 0.03)
s:write('abcd')
print('then', c:read(4))
c:settimeout(0)

-- A peer that never reads: the write stalls, then times out and closes.
s:setreadlimit(1)
local big = string.rep('x', 16 * 1024 * 1024)
print('write', c:write(big, 0.2))
print('after a write timeout', c:write('more'))
s:close()

for _, bad in ipairs({ -1, 2^31, 2^63, 0/0, math.huge }) do
  print(pcall(socket.read, c, nil, bad))
end
print(pcall(socket.settimeout, c, -1))
print(pcall(socket.settimeout, c, 1, 'both'))
print(pcall(socket.accept, l, 0/0))
print(pcall(socket.write, c, 'x', math.huge))
print(pcall(socket.readline, c, 2^63))
l:close()

-- flow control: a write waits while the peer does not read (one pending copy per
-- writer, no unbounded buffering); reading stops at the read ceiling until the
-- buffer drains; nothing is lost on the way
local socket = require 'socket'

local l = assert(socket.listen('tcp', '127.0.0.1', 0, { read_limit = 4096 }))
local _, port = l:getsockname()
local c = assert(socket.connect('127.0.0.1', port))
local s = assert(l:accept())

-- 64 MiB is more than loopback's kernel buffers hold: the writer must wait for
-- the reader
local size = 64 * 1024 * 1024
local pattern = '0123456789abcdef'
local writer_done = false
local writer = spawn(function()
  local ok, err = c:write(string.rep(pattern, size / #pattern))
  writer_done = true
  return ok, err
end)
for _ = 1, 20 do this_fiber.yield() end
print('writer waits while the peer does not read', not writer_done)

-- read_limit 4096: reading pauses once 4096 bytes are buffered, so one read
-- returns at most the ceiling plus one 64 KiB chunk
local first = assert(s:read())
print('first read bounded by the ceiling', #first <= 4096 + 65536)
local total, largest, intact = #first, #first, first == pattern:rep(#first / #pattern):sub(1, #first)
while total < size do
  local d = assert(s:read())
  if #d > largest then largest = #d end
  total = total + #d
end
print('every read bounded', largest <= 4096 + 65536, 'bytes received', total == size, 'start intact', intact)
print('writer finished', writer:join())

-- read(n) raises the ceiling to n for that read
c:write(string.rep('x', 200000))
print('exact read beyond the ceiling', #s:read(200000))

-- setreadlimit changes it on a connection
print('setreadlimit', s:setreadlimit(1))
c:write(string.rep('y', 100000))
local d = s:read()
print('one byte ceiling: one chunk at most', #d >= 1 and #d <= 1 + 65536)
local rest = #d
while rest < 100000 do rest = rest + #s:read() end
print('the rest arrives', rest)
print(pcall(socket.setreadlimit, s, 0))
print(pcall(socket.setreadlimit, s, 'big'))
print(pcall(socket.listen, 'tcp', '127.0.0.1', 0, { read_limit = 'big' }))
c:close(); s:close(); l:close()

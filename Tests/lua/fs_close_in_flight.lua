-- fs: closing a handle while another fiber's read of uncached data is in
-- flight. The file is a FIFO opened read-write (that open does not wait for a
-- peer): a read finds nothing cached, goes to the thread pool and stays there
-- until data is written, so the close really happens mid-request.
local fs = require 'fs'
local sleep = require('time').sleep

local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))
local fifo = dir .. '/fifo'
assert(os.execute('mkfifo ' .. fifo) == 0)

local pid = io.open('/proc/self/stat'):read('*l'):match('^%d+')
-- How many of this process's fds are open on the FIFO.
local function fds_on_fifo()
  local n = 0
  for name in io.popen('ls /proc/' .. pid .. '/fd'):lines() do
    local target = io.popen('readlink /proc/' .. pid .. '/fd/' .. name .. ' 2>/dev/null'):read('*l')
    if target == fifo then n = n + 1 end
  end
  return n
end

local f = assert(fs.open(fifo, 'r+'))
print('open fds on the fifo:', fds_on_fifo())
local reader = spawn(function() return f:read(100) end)
-- the reader's request is on the thread pool, blocked in read(2); a busy
-- pool only delays it further, which does not change what follows
sleep(0.05)
print('close while the read is in flight:', f:close())
print('read after close:', f:read(1))
print('close again:', f:close())
print('fd kept open under the pending read:', fds_on_fifo())

-- a writer (the pending reader end exists, so this open does not wait)
local w = assert(fs.open(fifo, 'w'))
assert(w:write('late data'))
print('reader got:', reader:join())
assert(w:close())
-- the deferred close runs when the read completes: wait for it (bounded)
local waited = 0
while fds_on_fifo() > 0 and waited < 5 do sleep(0.01); waited = waited + 0.01 end
print('fd closed after the read completed:', fds_on_fifo())

os.execute('rm -rf ' .. dir)

-- fs: interrupting a fiber during a file operation returns at once, and the
-- request, its buffer and any fd it produced are released (no fd leaks)
local fs = require 'fs'
local D = os.tmpname(); os.remove(D)
assert(fs.mkdir(D))
assert(fs.writefile(D .. '/data', string.rep('x', 1048576)))

local function fds() return #assert(fs.scandir('/proc/self/fd')) end
local before = fds()

-- interrupt reads, writes, stats and opens while their requests are in flight
local ops = {
  -- over 1 MiB: a read of cached data up to 1 MiB completes without
  -- suspending (page-cache fast path), larger ones always go to the pool
  read = function(f) return pcall(fs.read, f, 4194304) end,
  write = function(f) return pcall(fs.write, f, string.rep('y', 1048576)) end,
  stat = function() return pcall(fs.stat, D .. '/data') end,
  open = function() return pcall(fs.open, D .. '/data', 'r') end,
  scandir = function() return pcall(fs.scandir, D) end,
}
for _, name in ipairs({ 'read', 'write', 'stat', 'open', 'scandir' }) do
  local results = {}
  for i = 1, 20 do
    local f = name == 'read' and assert(fs.open(D .. '/data'))
      or name == 'write' and assert(fs.open(D .. '/w', 'w')) or nil
    local fib = spawn(ops[name], f)
    this_fiber.yield()  -- it starts its request and suspends
    fib:interrupt()
    local ok, err = fib:join()
    if f then assert(f:close()) end
    results[tostring(ok) .. ' ' .. tostring(err)] = true
  end
  local keys = {}
  for k in pairs(results) do keys[#keys + 1] = k end
  table.sort(keys)
  print(name, table.concat(keys, ' | '))
end

-- a blocking open (a FIFO with no writer yet) is interrupted promptly; the fd it
-- yields once a writer appears is closed, not leaked
os.execute('mkfifo ' .. D .. '/fifo')
local time = require 'time'
local t0 = time.monotonic()
local blocked = spawn(function() return pcall(fs.open, D .. '/fifo', 'r') end)
time.sleep(0.05)
blocked:interrupt()
print('fifo open interrupted:', blocked:join())
print('promptly:', time.monotonic() - t0 < 1)
-- Unblock the abandoned open (if a pool thread started it) without the pool: an
-- O_RDWR open of a FIFO never blocks, so this cannot wait behind a busy or
-- one-thread pool, nor for a reader whose request was cancelled before it ran.
local unblock = assert(io.open(D .. '/fifo', 'r+'))
unblock:close()

-- interruption requested before the call: the call raises at once
local early = spawn(function()
  this_fiber.disable_interruption()
  this_fiber.yield()
  -- (pcall is an interruption point itself: entered before the restore)
  return pcall(function() this_fiber.restore_interruption(); return fs.stat(D) end)
end)
this_fiber.yield()
early:interrupt()
print('pending interrupt:', early:join())

-- file handles dropped without close are closed by the collector
for i = 1, 50 do fs.open(D .. '/data') end
collectgarbage(); collectgarbage()
-- closes finish on the pool: wait for them (bounded) rather than a fixed sleep
local deadline = time.monotonic() + 10
while fds() - before ~= 0 and time.monotonic() < deadline do time.sleep(0.01) end
print('fds after:', fds() - before)

os.execute('rm -rf ' .. D)

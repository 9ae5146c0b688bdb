--! args: --threads 2
-- spawning and ending 10,000 actors gives their memory back
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local m = inbox:receive()
  m.reply:send(m.n)
  return
end

local function resident_kib()
  local f = io.open('/proc/self/statm')
  local pages = f:read('*a'):match('^%d+ (%d+)')
  f:close()
  return tonumber(pages) * 4
end

local function wave(count)
  local sum = 0
  for i = 1, count do spawn_vm('.'):send({ reply = inbox, n = i }) end
  for _ = 1, count do sum = sum + inbox:receive() end
  collectgarbage()
  return sum
end

wave(1000)  -- warm up allocator pools
require('time').sleep(0.2)
local before = resident_kib()
local total = 0
for _ = 1, 10 do total = total + wave(1000) end
require('time').sleep(0.5)  -- let the last actors finish ending
collectgarbage()
local grown = resident_kib() - before
print('actors answered:', total == 10 * 1000 * 1001 / 2)
print('memory back near the start:', grown < 64 * 1024, grown < 64 * 1024 and '' or grown .. ' KiB')

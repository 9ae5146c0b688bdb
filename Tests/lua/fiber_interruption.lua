-- Interruption: disable_interruption nests (interruptions wait until the outermost
-- restore), and a fiber waiting in join is interrupted (the joined fiber goes on).
local time = require('time')

local log = {}
local nested = spawn(function()
  this_fiber.disable_interruption()
  this_fiber.disable_interruption()
  time.sleep(0.02)
  log[#log + 1] = 'slept through the interrupt (depth 2)'
  this_fiber.restore_interruption()
  time.sleep(0.02)
  log[#log + 1] = 'slept through the interrupt (depth 1)'
  -- (pcall is an interruption point itself: entered before the outermost restore)
  local ok, err = pcall(function() this_fiber.restore_interruption(); return time.sleep(0.02) end)
  log[#log + 1] = 'after the outermost restore: ' .. tostring(ok) .. ' ' .. tostring(err)
end)
this_fiber.yield()
nested:interrupt()
nested:join()
for _, line in ipairs(log) do print(line) end

local slow_done = false
local slow = spawn(function() time.sleep(0.05); slow_done = true; return 'slow result' end)
local joiner = spawn(function() return pcall(slow.join, slow) end)
this_fiber.yield()
joiner:interrupt()
print('join interrupted:', joiner:join())
print('joined fiber still running:', not slow_done)
print('and can still be joined:', slow:join(), slow_done)

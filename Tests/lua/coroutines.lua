-- user coroutines keep plain-Lua meaning; suspending calls inside them suspend the fiber
local sleep = require('time').sleep

local co = coroutine.create(function(a)
  local b = coroutine.yield(a * 2)
  sleep(0.01)                      -- suspends the whole fiber, then continues here
  local c = coroutine.yield(b + 1)
  return 'end', c
end)
print(coroutine.resume(co, 5))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 'x'))
print(coroutine.resume(co))
print(coroutine.status(co))

-- wrap, nested coroutines, and errors
local gen = coroutine.wrap(function()
  for i = 1, 3 do
    local inner = coroutine.wrap(function() this_fiber.yield(); coroutine.yield(i * 100) end)
    coroutine.yield(inner())
  end
end)
print(gen(), gen(), gen())
local failing = coroutine.wrap(function() sleep(0); error('inside', 0) end)
print(pcall(failing))

-- pcall / xpcall around suspending calls
print(pcall(function() sleep(0.001); return 'after sleep' end))
print(xpcall(function() sleep(0.001); error('late', 0) end, function(e) return 'handled ' .. e end))

-- at a fiber's top level the coroutine belongs to the scheduler (Emilua):
-- coroutine.running() is nil and coroutine.yield raises (this_fiber.yield lets others run)
print(coroutine.running(), pcall(coroutine.yield))

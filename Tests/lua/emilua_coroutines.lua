-- Emilua: a fiber's own coroutine belongs to the scheduler. At fiber level
-- coroutine.running() is nil and coroutine.yield() raises; inside a user
-- coroutine both behave as in Lua. A user coroutine inside which a fiber is
-- suspended is 'normal' to other fibers, and they cannot resume it.
local time = require 'time'
print('running at fiber level:', coroutine.running())
print('yield at fiber level:', pcall(coroutine.yield, 1))
print('in a spawned fiber:', spawn(function()
  return coroutine.running(), (pcall(coroutine.yield))
end):join())

local co = coroutine.create(function(a)
  print('running inside:', coroutine.running() ~= nil, coroutine.status(coroutine.running()))
  local b = coroutine.yield(a + 1)
  return b * 2
end)
print(coroutine.resume(co, 1))
print(coroutine.resume(co, 5))
print(coroutine.status(co), coroutine.resume(co))

-- a fiber suspended inside a coroutine: others see it 'normal'
local gate = false
local parked = coroutine.create(function()
  while not gate do time.sleep(0.001) end
  coroutine.yield('yielded after the gate')
  return 'done'
end)
local owner = spawn(function() return coroutine.resume(parked) end)
this_fiber.yield()
print('status seen by another fiber:', coroutine.status(parked))
print('resume from another fiber:', pcall(coroutine.resume, parked))
local w = coroutine.wrap(function() time.sleep(0.01); return 'wrapped' end)
local wowner = spawn(function() return w() end)
this_fiber.yield()
print('wrap called from another fiber:', pcall(w))
gate = true
print('owner:', owner:join())
print('status after:', coroutine.status(parked))
print('resume now:', coroutine.resume(parked))
print('wrap owner:', wowner:join())

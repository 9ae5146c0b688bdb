-- spawn / join / detach / interrupt and their errors
local sleep = require('time').sleep

-- spawn starts soon, not before the caller yields
local order = {}
local f = spawn(function(a, b) order[#order + 1] = 'child'; return a + b, 'two', nil end, 40, 2)
order[#order + 1] = 'parent'
local r1, r2, r3 = f:join()
print(table.concat(order, ','), r1, r2, r3)

-- join of a fiber that already finished
local done = spawn(function() return 'early' end)
this_fiber.yield()
print('joined finished:', done:join())

-- join re-raises the fiber's error value, as is
local bad = spawn(function() error({ code = 7 }) end)
local ok, err = pcall(bad.join, bad)
print('join error:', ok, type(err), err.code)
local bad2 = spawn(function() error('plain', 0) end)
print('join error string:', pcall(bad2.join, bad2))

-- joining twice, joining self, joining a detached fiber
local once = spawn(function() return 1 end)
once:join()
print(pcall(once.join, once))
local me
me = spawn(function() return pcall(me.join, me) end)
print(me:join())
local det = spawn(function() sleep(0.01) end)
det:detach()
print(pcall(det.join, det))

-- interrupt a sleeping fiber: sleep raises 'interrupted'
local sleeper = spawn(function()
  local ok, e = pcall(sleep, 10)
  return ok, e
end)
this_fiber.yield()
sleeper:interrupt()
print('interrupted sleep:', sleeper:join())

-- interrupt before the first suspension: the next suspending call raises
local early = spawn(function()
  -- (pcall is an interruption point itself: entered with interruption disabled)
  this_fiber.disable_interruption()
  local ok, e = pcall(function() this_fiber.restore_interruption(); return this_fiber.yield() end)
  return ok, e
end)
early:interrupt()
print('interrupt pending:', early:join())

-- disable_interruption defers it until restore_interruption
local shielded = spawn(function()
  this_fiber.disable_interruption()
  sleep(0.02)
  local ok, e = pcall(function() this_fiber.restore_interruption(); return sleep(5) end)
  return 'slept through', ok, e
end)
this_fiber.yield()
shielded:interrupt()
print(shielded:join())
print(pcall(this_fiber.restore_interruption))

-- interrupting a finished fiber does nothing
local fin = spawn(function() return 'fin' end)
this_fiber.yield()
fin:interrupt()
print(fin:join())

-- wrong argument types raise, naming the function
print(pcall(spawn, 42))
print(pcall(spawn))
print(pcall(f.join, 'nope'))

-- ids are distinct numbers; handles print as fibers
local a, b = spawn(function() return this_fiber.id end), spawn(function() return this_fiber.id end)
local ia, ib = a:join(), b:join()
print(type(ia), ia ~= ib, type(this_fiber.id), tostring(a):match('^fiber %d+$') ~= nil)

-- Emilua: this_fiber.forbid_suspend()/allow_suspend() (a nestable counter):
-- inside, every suspension point raises 'Operation not permitted'; an
-- unmatched allow_suspend raises. this_fiber.local_ is a fiber-local table,
-- the same inside user coroutines run by the fiber.
local time = require 'time'
local mutex = require 'mutex'
local condition_variable = require 'condition_variable'
local channel = require 'channel'
local inbox = require 'inbox'
local fs = require 'fs'
if _CONTEXT == 'worker' then local m = inbox:receive(); inbox:receive(); return end
spawn_vm('.'):send({ keep = inbox })  -- our address is shared: receive may wait

local function outcome(f, ...)
  local ok, err = pcall(f, ...)
  if ok then return 'ran' end
  return tostring(err):find('Operation not permitted', 1, true) and 'EPERM' or tostring(err)
end

local free, held = mutex.new(), mutex.new()
held:lock()
local cv = condition_variable.new()
local ch = channel.new()
inbox:send('queued')  -- receive could return at once: still forbidden
local other = spawn(function() end)
this_fiber.forbid_suspend()
this_fiber.forbid_suspend()  -- nests
print('yield', outcome(this_fiber.yield))
print('sleep', outcome(time.sleep, 0))
print('join', outcome(other.join, other))
print('lock a free mutex', outcome(free.lock, free))
print('lock a held mutex', outcome(held.lock, held))
print('cv wait', outcome(cv.wait, cv, held))
print('channel send', outcome(ch.send, ch, 1))
print('inbox receive', outcome(inbox.receive, inbox))
print('address send', outcome(inbox.send, inbox, 'x'))
print('fs.stat', outcome(fs.stat, '.'))
print('not suspension points:', outcome(function()
  held:unlock(); held:try_lock(); cv:notify_all(); spawn(function() end)
  this_fiber.disable_interruption(); this_fiber.restore_interruption()
end))
this_fiber.allow_suspend()
print('still forbidden after one allow', outcome(this_fiber.yield))
this_fiber.allow_suspend()
print('allowed again', outcome(this_fiber.yield))
print('unmatched allow', outcome(this_fiber.allow_suspend))
print('mutex still usable', outcome(function() free:lock(); free:unlock() end))
print('receive:', inbox:receive())

-- a fiber that ends inside forbid_suspend leaves nothing behind for the others
spawn(function() this_fiber.forbid_suspend() end):join()
print('next fiber', outcome(this_fiber.yield))
print('next fiber locks a free mutex', outcome(function() free:lock(); free:unlock() end))

-- this_fiber.local_: one table per fiber, shared with its user coroutines
this_fiber.local_.name = 'main'
local f = spawn(function()
  local before = this_fiber.local_.name
  this_fiber.local_.name = 'child'
  local inner = coroutine.wrap(function()
    time.sleep(0)  -- a suspension inside the coroutine keeps the same fiber
    return this_fiber.local_.name
  end)()
  return tostring(before), inner, this_fiber.local_ == this_fiber.local_
end)
print('local_ in a new fiber:', f:join())
print('local_ in main:', this_fiber.local_.name)

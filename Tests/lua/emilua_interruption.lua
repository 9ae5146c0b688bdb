-- Emilua's interruption semantics: an interrupted fiber ends normally (no
-- report), join returns nothing, interruption_caught says how it ended, and
-- interruption is sticky.
local sleep = require('time').sleep
local function caught(f)  -- pcall's outcome without the file:line of the error
  local ok, v = pcall(f)
  if ok then return ok, v end
  return ok, (tostring(v):gsub('^.-:%d+: ', ''))
end

local f = spawn(function() sleep(10) end)
this_fiber.yield()
f:interrupt()
print('join of interrupted:', select('#', f:join()))
print('interruption_caught:', f.interruption_caught)

local g = spawn(function() return 'done' end)
print('unjoined:', caught(function() return g.interruption_caught end))
print('join:', g:join())
print('interruption_caught:', g.interruption_caught)

local d = spawn(function() end)
d:detach()
print('detached:', caught(function() return d.interruption_caught end))

-- sticky: every later interruption point raises too (pcall is one itself,
-- so the later ones are entered with interruption disabled, restored inside)
local function enabled(f, ...)
  local args = { ... }
  this_fiber.disable_interruption()
  return pcall(function() this_fiber.restore_interruption(); return f(unpack(args)) end)
end
local h = spawn(function()
  local log = {}
  log[#log + 1] = tostring(select(2, pcall(sleep, 10)))
  log[#log + 1] = tostring(select(2, enabled(sleep, 0)))
  log[#log + 1] = tostring(select(2, enabled(this_fiber.yield)))
  this_fiber.disable_interruption()
  sleep(0)  -- no interruption point while disabled
  log[#log + 1] = 'disabled: slept'
  this_fiber.restore_interruption()
  return table.concat(log, ', ')
end)
this_fiber.yield()
h:interrupt()
print('sticky:', h:join())
print('caught, so not ended by interruption:', h.interruption_caught)

-- interrupting before it ever ran
local k = spawn(function() sleep(1); print('never') end)
k:interrupt()
k:join()
print('interrupted before start:', k.interruption_caught)

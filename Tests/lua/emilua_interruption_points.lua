-- Emilua: pcall, xpcall, coroutine.resume and a coroutine.wrap function are
-- interruption points: an interrupted fiber (interruption enabled) raises
-- 'interrupted' when it calls them, before the body runs.
local ran = {}
local function body(name) return function() ran[#ran + 1] = name; return name end end

local function interrupted_then(call)
  local f = spawn(function()
    this_fiber.disable_interruption()
    this_fiber.yield()  -- interrupted here, interruption disabled: no raise
    this_fiber.restore_interruption()
    return call()
  end)
  this_fiber.yield()
  f:interrupt()
  local n = select('#', f:join())
  return n == 0 and f.interruption_caught and 'interrupted' or 'returned'
end

print('pcall:', interrupted_then(function() return pcall(body('pcall body')) end))
print('xpcall:', interrupted_then(function() return xpcall(body('xpcall body'), print) end))
print('coroutine.resume:', interrupted_then(function()
  return coroutine.resume(coroutine.create(body('resume body')))
end))
local wrapped = coroutine.wrap(body('wrap body'))
print('coroutine.wrap:', interrupted_then(function() return wrapped() end))
print('bodies that ran:', #ran)

-- with interruption disabled they run as usual
local g = spawn(function()
  this_fiber.disable_interruption()
  this_fiber.yield()
  local r = { select(2, pcall(body('a'))), select(2, xpcall(body('b'), print)),
              select(2, coroutine.resume(coroutine.create(body('c')))), coroutine.wrap(body('d'))() }
  this_fiber.restore_interruption()
  return table.concat(r, ' ')
end)
this_fiber.yield()
g:interrupt()
print('disabled:', g:join())

-- a fiber not interrupted: nothing changes (xpcall passes extra arguments)
print(pcall(function(...) return ... end, 1, 2))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
print(xpcall(function() error('boom', 0) end, function(e) return 'handled ' .. e end))

-- another fiber's pending interruption is not ours
local x = spawn(function() this_fiber.disable_interruption(); this_fiber.yield(); this_fiber.yield() end)
this_fiber.yield()
x:interrupt()
print('another fiber interrupted:', pcall(function() return 'ran' end))
x:join()
print('after it ended:', pcall(function() return 'ran' end))

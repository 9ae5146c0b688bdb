-- 10,000 fibers, each sleeping a random 0-100 ms, all finish; fibers started
-- together wake in the order of their deadlines (a sleep that ignores its
-- duration, or timers in reverse, fail that). How early a sleep may end is
-- checked in pending/sleep_never_early.lua: today a sleep starts from the loop's
-- cached time (bug 1), so on a loaded machine it can end far too early.
local time = require('time')
math.randomseed(42)
local n, finished = 10000, 0
local started = time.monotonic()
local fibers = {}
for i = 1, n do
  local ms = math.random(0, 100)
  fibers[i] = spawn(function()
    time.sleep(ms / 1000)
    finished = finished + 1
    return ms
  end)
end
local sum = 0
for i = 1, n do sum = sum + fibers[i]:join() end
print('finished', finished, 'of', n)
print('all results joined', sum > 0)
local took = time.monotonic() - started
print('took 0.1 s to 10 s', took >= 0.1 and took < 10)

-- 8 fibers started together, sleeping 100 ms apart in shuffled order: they wake
-- in deadline order (at 10 ms apart neighbours sometimes swap today, bug 1)
local steps = {}
for k = 1, 8 do steps[k] = k end
for k = 8, 2, -1 do local j = math.random(k); steps[k], steps[j] = steps[j], steps[k] end
local woke = {}
local sleepers = {}
for k = 1, 8 do
  sleepers[k] = spawn(function() time.sleep(steps[k] * 0.1); woke[#woke + 1] = steps[k] end)
end
for k = 1, 8 do sleepers[k]:join() end
print('wake order:', table.concat(woke, ' '))

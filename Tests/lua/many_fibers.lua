-- 10,000 fibers, each sleeping a random 0-100 ms, all finish; wake order follows the deadlines
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
print('took under 10 s', time.monotonic() - started < 10)

-- time.after / time.every: fire on time, in order, cancel stops them, bad arguments raise.
local time = require 'time'

local events = {}
local function note(e) events[#events + 1] = e end

-- after: once, after its delay; the earlier one first
local late = time.after(0.06, function() note('after 0.06') end)
local early = time.after(0.02, function() note('after 0.02') end)
-- cancelled before it fires: never runs
local cancelled = time.after(0.03, function() note('cancelled ran!') end)
cancelled:cancel()
cancelled:cancel()  -- twice is harmless

-- every: fixed rate; cancel from inside the callback stops it after that call
local ticks = 0
local ticker
ticker = time.every(0.01, function()
  ticks = ticks + 1
  if ticks == 5 then ticker:cancel() end
end)

-- a callback may suspend; cancel while it runs lets it finish but not run again
local slow_runs = 0
local slow = time.every(0.01, function()
  slow_runs = slow_runs + 1
  time.sleep(0.03)
  note('slow finished ' .. slow_runs)
end)
time.sleep(0.02)
slow:cancel()

time.sleep(0.15)
for _, e in ipairs(events) do print(e) end
print('ticks', ticks)
print('slow runs', slow_runs)
print('late:cancel after firing', pcall(late.cancel, late))

-- cancelling an every from another fiber while it waits for its tick
local n = 0
local t = time.every(0.5, function() n = n + 1 end)
time.sleep(0.01)
t:cancel()
print('never ticked', n)

-- argument errors raise, naming the function and argument
local function err(f, ...)
  local ok, e = pcall(f, ...)
  print((tostring(e):gsub('^[^:]+:%d+: ', '')))
end
err(time.after, 'x', print)
err(time.after, -1, print)
err(time.every, 1 / 0, print)
err(time.every, 0.1, 'nope')
print('done')

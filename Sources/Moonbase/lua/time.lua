-- require 'time': sleep(seconds), monotonic(), now(), and timers:
-- after(seconds, fn) and every(seconds, fn), each a fiber of its own.
local raw, rt = ...
local sleep, monotonic = rt.suspending(raw.sleep), raw.monotonic
local spawn, type, error, format = rt.spawn, type, error, string.format

local function check(name, seconds, fn)
  if type(seconds) ~= 'number' then
    error(format("%s: bad argument #1 'seconds' (number expected, got %s)", name, type(seconds)), 3)
  end
  if not (seconds >= 0 and seconds < math.huge) then
    error(format("%s: bad argument #1 'seconds' (finite number >= 0 expected, got %s)", name, tostring(seconds)), 3)
  end
  if type(fn) ~= 'function' then
    error(format("%s: bad argument #2 'fn' (function expected, got %s)", name, type(fn)), 3)
  end
end

-- A timer's handle. cancel() stops it: a timer waiting for its next tick is
-- interrupted; a callback already running finishes, and is not called again.
local timer_mt = { __index = {} }
function timer_mt.__index.cancel(t)
  if t.cancelled then return end
  t.cancelled = true
  if not t.running and not t.done then t.fiber:interrupt() end
end

local function start(body)
  local t = setmetatable({ cancelled = false, running = false, done = false }, timer_mt)
  t.fiber = spawn(body, t)
  t.fiber:detach()  -- an error in the callback is reported on stderr, as for any detached fiber
  return t
end

local function run(t, fn)
  t.running = true
  fn()
  t.running = false
end

-- after(seconds, fn): fn() once, in a fiber of its own, `seconds` from now.
local function after(seconds, fn)
  check('time.after', seconds, fn)
  return start(function(t)
    sleep(seconds)
    if not t.cancelled then run(t, fn) end
    t.done = true
  end)
end

-- every(seconds, fn): fn() every `seconds` at a fixed rate (ticks missed
-- while fn ran late are skipped, not bunched), until cancelled or fn raises.
local function every(seconds, fn)
  check('time.every', seconds, fn)
  return start(function(t)
    local next_tick = monotonic() + seconds
    while not t.cancelled do
      local wait = next_tick - monotonic()
      sleep(wait > 0 and wait or 0)  -- always: every(0) must let other fibers run
      if t.cancelled then break end
      run(t, fn)
      next_tick = next_tick + seconds
      local now = monotonic()
      if next_tick < now then next_tick = now + seconds end
    end
    t.done = true
  end)
end

return { sleep = sleep, monotonic = monotonic, now = raw.now, after = after, every = every }

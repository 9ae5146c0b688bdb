-- Fiber benchmarks, each next to plain LuaJIT coroutines measured by the same
-- code in the same run:
-- 1. fibers spawned and run to their end per second (spawn a batch, join it)
--    vs coroutine.create + coroutine.resume to completion;
-- 2. memory per suspended fiber (100k fibers waiting on a condition variable)
--    minus a raw suspended coroutine's (100k coroutines in coroutine.yield),
--    each = growth of the Lua heap (collectgarbage 'count') plus growth of the
--    rest of the process's resident memory (/proc/self/statm).
-- Run: moonbase run --threads 1 Benchmarks/fibers.lua [seconds-per-run] [runs] [count]
-- Prints a line per figure and a BENCH| line per figure for Benchmarks/run.
local time = require 'time'
local mutex_module = require 'mutex'
local condition_variable = require 'condition_variable'

local seconds = tonumber(arg[1]) or 0.3
local runs = tonumber(arg[2]) or 5
local COUNT = tonumber(arg[3]) or 100000
local BATCH = 1000

local median = require('bench_util').median

local resident_bytes = require('bench_util').resident_bytes

-- Lua heap and resident memory now, after a full collection.
local function memory()
  collectgarbage(); collectgarbage()
  return collectgarbage('count') * 1024, resident_bytes()
end

-- Bytes per item: the Lua heap's growth, plus resident growth beyond it (what
-- Swift and C allocated); resident memory already mapped is reused first, so
-- the larger of the two growths bounds the total.
local function per_item(heap0, rss0, heap1, rss1, n)
  local heap = heap1 - heap0
  local rest = math.max(0, (rss1 - rss0) - heap)
  return (heap + rest) / n, heap / n, rest / n
end

-- 1. memory -------------------------------------------------------------------

local mutex, cv = mutex_module.new(), condition_variable.new()
local waiting = 0
local function waiter()
  mutex:lock()
  waiting = waiting + 1
  cv:wait(mutex)
  mutex:unlock()
end

local heap0, rss0 = memory()
local fibers = {}
for i = 1, COUNT do fibers[i] = spawn(waiter) end
while waiting < COUNT do this_fiber.yield() end
local heap1, rss1 = memory()
local fiber_bytes, fiber_heap, fiber_rest = per_item(heap0, rss0, heap1, rss1, COUNT)

-- The reference is LuaJIT's own coroutines. The runtime wraps coroutine.*
-- (fiber semantics: Emilua's rules for user coroutines inside fibers), so take
-- the originals the wrappers call; a slower wrapper must not flatter the ratio.
local function original(f, name)
  for i = 1, 100 do
    local n, v = debug.getupvalue(f, i)
    if n == nil then break end
    if n == name then return v end
  end
  return f
end
local raw_create = original(coroutine.create, 'co_create')
local raw_resume = original(coroutine.resume, 'co_resume')
local raw_yield = original(coroutine.yield, 'co_yield')

-- the same count of raw coroutines, suspended in coroutine.yield (the fibers
-- above stay alive meanwhile, so neither reuses memory the other freed)
local function body() raw_yield() end
local heap2, rss2 = memory()
local coroutines = {}
for i = 1, COUNT do
  local co = raw_create(body)
  raw_resume(co)
  coroutines[i] = co
end
local heap3, rss3 = memory()
local co_bytes, co_heap, co_rest = per_item(heap2, rss2, heap3, rss3, COUNT)

print(string.format('suspended fiber: %.0f bytes (Lua heap %.0f, rest %.0f); suspended coroutine: %.0f bytes (Lua heap %.0f, rest %.0f)',
  fiber_bytes, fiber_heap, fiber_rest, co_bytes, co_heap, co_rest))

coroutines = nil
cv:notify_all()
for i = 1, COUNT do fibers[i]:join() end
fibers = nil

-- 2. throughput ---------------------------------------------------------------

local function noop(x) return x end

local function fiber_batch()
  local batch = {}
  for i = 1, BATCH do batch[i] = spawn(noop, i) end
  for i = 1, BATCH do batch[i]:join() end
end

local function coroutine_batch()
  local batch = {}
  for i = 1, BATCH do batch[i] = raw_create(noop) end
  for i = 1, BATCH do raw_resume(batch[i], i) end
end

-- Items per second of `batch`, run for `seconds`.
local function rate(batch)
  local n, t0 = 0, time.monotonic()
  repeat
    batch()
    n = n + BATCH
  until time.monotonic() - t0 >= seconds
  return n / (time.monotonic() - t0)
end

rate(fiber_batch); rate(coroutine_batch)  -- warm up (JIT, heap)
local fiber_rates, co_rates = {}, {}
for r = 1, runs do  -- alternate, so both see the same load
  fiber_rates[r] = rate(fiber_batch)
  co_rates[r] = rate(coroutine_batch)
end
local fiber_rate, co_rate = median(fiber_rates), median(co_rates)
print(string.format('fibers spawned + joined: %.0f/s; coroutines created + resumed to end: %.0f/s (medians of %d runs of %.1f s); ratio %.2f',
  fiber_rate, co_rate, runs, seconds, fiber_rate / co_rate))

print(string.format('BENCH|fibers spawned + run to end (batches of %d, joined)|%.0f|fibers/s|coroutine.create + resume|%.0f|ratio>=0.5',
  BATCH, fiber_rate, co_rate))
print(string.format('BENCH|memory per suspended fiber above a suspended coroutine (%dk waiting on a condition)|%.0f|bytes|-|-|value<=2048',
  math.floor(COUNT / 1000), fiber_bytes - co_bytes))

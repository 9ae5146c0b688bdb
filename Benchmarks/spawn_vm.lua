-- spawn_vm benchmarks: time per spawn_vm of an idle actor (spawned, started,
-- reported in, now waiting in inbox:receive), and resident memory per idle
-- actor (growth of /proc/self/statm's resident size over 1000 live actors).
-- No reference exists for these figures.
-- Run: moonbase run --threads 2 Benchmarks/spawn_vm.lua [actors] [runs]
-- Prints a line per figure and a BENCH| line per figure for Benchmarks/run.
local inbox = require 'inbox'

if _CONTEXT == 'worker' then
  local parent = inbox:receive()
  parent:send('up')
  inbox:receive()  -- idle until told to stop
  return
end

local time = require 'time'
local COUNT = tonumber(arg[1]) or 1000
local runs = tonumber(arg[2]) or 5

local resident_bytes = require('bench_util').resident_bytes

local median = require('bench_util').median

-- Spawns COUNT actors and waits until each is up and idle; returns them,
-- the seconds it took and the resident growth in bytes.
local function spawn_idle()
  collectgarbage(); collectgarbage()
  local rss0 = resident_bytes()
  local t0 = time.monotonic()
  local actors = {}
  for i = 1, COUNT do
    actors[i] = spawn_vm('.')
    actors[i]:send(inbox)
  end
  for _ = 1, COUNT do assert(inbox:receive() == 'up') end
  local elapsed = time.monotonic() - t0
  return actors, elapsed, resident_bytes() - rss0
end

local function stop(actors)
  for i = 1, #actors do actors[i]:send('stop') end
end

-- The first run measures memory too: later runs reuse memory the ended
-- actors gave back, so only the first shows what an actor really costs.
local times, growth = {}, nil
for r = 1, runs do
  local actors, elapsed, grew = spawn_idle()
  times[r] = elapsed / COUNT * 1000
  if r == 1 then growth = grew end
  stop(actors)
  time.sleep(0.2)  -- let them end before the next run
end
local each = {}
for i, t in ipairs(times) do each[i] = string.format('%.3f', t) end
local ms = median(times)
local kib = growth / COUNT / 1024
print(string.format('spawn_vm of an idle actor: %.3f ms each (median of %d runs of %d: %s); resident memory per idle actor: %.1f KiB',
  ms, runs, COUNT, table.concat(each, ' '), kib))
print(string.format('BENCH|spawn_vm of an idle actor (up and waiting in receive), %d at once|%.3f|ms|-|-|value<=1', COUNT, ms))
print(string.format('BENCH|resident memory per idle actor (%d live)|%.1f|KiB|-|-|value<=300', COUNT, kib))

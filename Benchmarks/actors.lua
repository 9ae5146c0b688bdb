-- Actor message benchmarks: ping-pong round trips (same worker, cross worker)
-- and a one-way stream (small messages, 4 KiB tables), next to the copy-cost
-- floor: LuaJIT's string.buffer encode+decode of the same message in one VM.
-- Run: moonbase run --threads 2 Benchmarks/actors.lua [seconds-per-run] [runs]
-- Prints a line per figure and a BENCH| line per figure for Benchmarks/run.
local inbox = require 'inbox'
local time = require 'time'

local small = { cmd = 'echo', n = 41, s = 'hello world', t = { 1, 2, 3 } }
local big = {}
for i = 1, 128 do big[i] = { id = i, name = 'item' .. i } end  -- about 4 KiB

if _CONTEXT == 'worker' then
  local setup = inbox:receive()
  if setup.mode == 'echo' then
    while true do
      local m = inbox:receive()
      if m == 'stop' then break end
      setup.reply:send(m)
    end
  else  -- sink: count until 'stop', then report
    local count = 0
    while true do
      local m = inbox:receive()
      if m == 'stop' then break end
      count = count + 1
    end
    setup.reply:send(count)
  end
  return
end

local seconds = tonumber(arg[1]) or 1

local function pingpong(opts, msg)
  local echo = spawn_vm('.', opts)
  echo:send({ mode = 'echo', reply = inbox })
  local n, t0 = 0, time.monotonic()
  repeat
    for _ = 1, 100 do echo:send(msg); inbox:receive() end
    n = n + 100
  until time.monotonic() - t0 >= seconds
  local rate = n / (time.monotonic() - t0)
  echo:send('stop')
  return rate
end

local function stream(opts, msg)
  local sink = spawn_vm('.', opts)
  sink:send({ mode = 'sink', reply = inbox })
  local n, t0 = 0, time.monotonic()
  repeat
    for _ = 1, 1000 do sink:send(msg) end
    n = n + 1000
  until time.monotonic() - t0 >= seconds
  sink:send('stop')
  local count = inbox:receive()
  assert(count == n, 'lost messages: ' .. count .. ' of ' .. n)
  return n / (time.monotonic() - t0)
end

local function buffer_floor(msg)
  local ok, buffer = pcall(require, 'string.buffer')
  if not ok then return nil end
  local n, t0 = 0, time.monotonic()
  repeat
    for _ = 1, 1000 do buffer.decode(buffer.encode(msg)) end
    n = n + 1000
  until time.monotonic() - t0 >= seconds
  return n / (time.monotonic() - t0)
end

-- Each figure is the median of `runs` measurements of `seconds` each.
local runs = math.max(3, tonumber(arg[2]) or 3)  -- a median of at least 3
local function median(fn, ...)
  local values = {}
  for i = 1, runs do values[i] = fn(...) end
  table.sort(values)
  return values[math.floor((runs + 1) / 2)]
end

local floor_small, floor_big = median(buffer_floor, small), median(buffer_floor, big)
local floor_name = 'string.buffer encode+decode, same message'
-- a round trip copies the message twice (there and back): its floor is half
local floor_round_trip = floor_small and floor_small / 2
local round_trip_name = 'string.buffer encode+decode twice (two copies per round trip)'
local rows = {
  { 'actors: ping-pong same worker, small', median(pingpong, { inherit_context = true }, small), 'round trips/s', floor_round_trip, '-', round_trip_name },
  { 'actors: ping-pong cross worker, small', median(pingpong, { thread = 2 }, small), 'round trips/s', floor_round_trip, '-', round_trip_name },
  { 'actors: stream cross worker, small', median(stream, { thread = 2 }, small), 'msg/s', floor_small, 'value>=1000000' },
  { 'actors: stream same worker, small', median(stream, { inherit_context = true }, small), 'msg/s', floor_small, '-' },
  { 'actors: stream cross worker, 4 KiB table', median(stream, { thread = 2 }, big), 'msg/s', floor_big, '-' },
}
for _, r in ipairs(rows) do
  print(('%-44s %12.0f %-14s (floor %.0f)'):format(r[1], r[2], r[3], r[4]))
  print(('BENCH|%s|%.0f|%s|%s|%.0f|%s'):format(r[1], r[2], r[3], r[6] or floor_name, r[4], r[5]))
end

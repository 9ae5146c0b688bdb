-- Actor message benchmarks: ping-pong round trips (same worker, cross worker)
-- and a one-way stream (small messages, 4 KiB tables), next to the copy-cost
-- floor: LuaJIT's string.buffer encode+decode of the same message in one VM.
-- Run: moonbase run --threads 2 Benchmarks/actors.lua [seconds-per-figure]
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

local rows = {
  { 'ping-pong same worker, small', pingpong({ inherit_context = true }, small), 'round trips/s' },
  { 'ping-pong cross worker, small', pingpong({ thread = 2 }, small), 'round trips/s' },
  { 'stream cross worker, small', stream({ thread = 2 }, small), 'messages/s' },
  { 'stream same worker, small', stream({ inherit_context = true }, small), 'messages/s' },
  { 'stream cross worker, 4 KiB table', stream({ thread = 2 }, big), 'messages/s' },
  { 'string.buffer encode+decode, small (floor)', buffer_floor(small), 'copies/s' },
  { 'string.buffer encode+decode, 4 KiB (floor)', buffer_floor(big), 'copies/s' },
}
for _, r in ipairs(rows) do
  print(('%-44s %12s %s'):format(r[1], r[2] and ('%.0f'):format(r[2]) or 'n/a', r[3]))
end

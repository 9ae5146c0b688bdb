-- mutex, condition_variable and channel between fibers of one VM
local sleep = require('time').sleep
local mutex = require('mutex')
local condition_variable = require('condition_variable')
local channel = require('channel')

-- mutex: FIFO hand-over, no two holders at once
local m = mutex.new()
local inside, log = 0, {}
local fibers = {}
for i = 1, 3 do
  fibers[i] = spawn(function()
    m:lock()
    inside = inside + 1
    log[#log + 1] = 'in' .. i .. ':' .. inside
    sleep(0.005)
    inside = inside - 1
    m:unlock()
  end)
end
for _, f in ipairs(fibers) do f:join() end
print(table.concat(log, ' '))
print('try_lock', m:try_lock(), m:try_lock())
m:unlock()
print(pcall(m.unlock, m))

-- an interrupted lock waiter gives up its place
m:lock()
local waiter = spawn(function() return pcall(m.lock, m) end)
this_fiber.yield()
waiter:interrupt()
print('interrupted lock:', waiter:join())
m:unlock()
print('still free:', m:try_lock())
m:unlock()

-- condition variable: producer / consumer
local cv = condition_variable.new()
local queue = {}
local consumer = spawn(function()
  local got = {}
  m:lock()
  while #got < 3 do
    while #queue == 0 do cv:wait(m) end
    got[#got + 1] = table.remove(queue, 1)
  end
  m:unlock()
  return table.concat(got, ',')
end)
for i = 1, 3 do
  m:lock(); queue[#queue + 1] = i * 10; cv:notify_one(); m:unlock()
  sleep(0.001)
end
print('consumed', consumer:join())

-- notify_all wakes every waiter
local woken = 0
local ws = {}
for i = 1, 4 do
  ws[i] = spawn(function() m:lock(); cv:wait(m); woken = woken + 1; m:unlock() end)
end
this_fiber.yield()
m:lock(); cv:notify_all(); m:unlock()
for _, f in ipairs(ws) do f:join() end
print('notify_all woke', woken)

-- interrupting a cv wait re-acquires the mutex before raising
local held
local cvw = spawn(function()
  m:lock()
  local ok, e = pcall(cv.wait, cv, m)
  held = not m:try_lock()  -- we hold it again, so try_lock fails
  m:unlock()
  return ok, e
end)
this_fiber.yield()
cvw:interrupt()
print('cv interrupted:', cvw:join())
print('held after interrupt:', held)

-- channels: rendezvous
local ch = channel.new()
local recv = spawn(function()
  local out = {}
  for i = 1, 3 do out[i] = ch:receive() end
  return table.concat(out, ',')
end)
for i = 1, 3 do assert(ch:send('m' .. i)) end
print('rendezvous', recv:join())

-- buffered channel: sends do not wait until full
local bch = channel.new(2)
print('buffered', bch:send(1), bch:send(2))
local late = spawn(function() return bch:send(3) end)
this_fiber.yield()
print('drain', bch:receive(), bch:receive(), bch:receive(), late:join())

-- close: receivers drain, then nil, 'closed'; send after close fails
local cch = channel.new(4)
cch:send('a'); cch:send('b'); cch:close()
print(cch:receive(), cch:receive(), cch:receive())
print(cch:send('c'))
local blocked = channel.new()
local r = spawn(function() return blocked:receive() end)
local s = spawn(function() return channel.new():send(1) end)
this_fiber.yield()
blocked:close()
print('woken by close:', r:join())
s:interrupt()
print('sender interrupted:', pcall(s.join, s))

-- argument errors
print(pcall(channel.new, -1))
print(pcall(channel.new, 'x'))
print(pcall(cv.wait, cv, 5))

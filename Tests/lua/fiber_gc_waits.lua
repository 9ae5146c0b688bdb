-- A fiber stays joinable across garbage collections at every kind of wait
-- (the handles made for mutex/cv/channel waiters must not detach it).
local sleep = require('time').sleep
local mutex = require('mutex')
local condition_variable = require('condition_variable')
local channel = require('channel')
local socket = require('socket')
local fs = require('fs')
local inbox = require('inbox')
if _CONTEXT == 'worker' then  -- the actor that sends to the main inbox
  local request = inbox:receive()
  sleep(0.02)
  request.reply:send('message')
  return
end

local function gc() collectgarbage(); collectgarbage() end
local function settle() for _ = 1, 3 do this_fiber.yield() end end

-- start(after) spawns a fiber that waits, then calls after() (a sleep, during
-- which the GC runs: any handle made for its wait is garbage by then) and
-- returns; release() ends its wait.
local function nap() sleep(0.02) end
local function check(kind, start, release)
  local f = start(nap)
  settle(); gc()
  release()
  settle(); gc()
  print(kind, pcall(f.join, f))
end

check('sleep', function(after) return spawn(function() sleep(0.01); after(); return 'slept' end) end,
  function() end)

local m, cv, ready = mutex.new(), condition_variable.new(), false
check('cv', function(after)
  return spawn(function()
    m:lock()
    while not ready do cv:wait(m) end
    m:unlock()
    after()
    return 'notified'
  end)
end, function() m:lock(); ready = true; cv:notify_one(); m:unlock() end)

local m2 = mutex.new()
check('mutex', function(after)
  m2:lock()
  return spawn(function() m2:lock(); m2:unlock(); after(); return 'locked' end)
end, function() m2:unlock() end)

local ch = channel.new()
check('channel receive', function(after)
  return spawn(function() local v = ch:receive(); after(); return v end)
end,
  function() ch:send('value') end)
check('channel send', function(after)
  return spawn(function() local ok = ch:send('v'); after(); return ok end)
end,
  function() ch:receive() end)

check('join', function(after)
  local inner = spawn(function() sleep(0.01); return 'inner' end)
  return spawn(function() local v = inner:join(); after(); return v end)
end, function() end)

local actor = spawn_vm('.')
check('inbox', function(after)
  actor:send({ reply = inbox })
  return spawn(function() local v = inbox:receive(); after(); return v end)
end, function() end)

local l = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = socket.getsockname(l)
local client
check('socket', function(after)
  return spawn(function() local c = assert(socket.accept(l)); local v = socket.read(c); after(); return v end)
end, function() client = assert(socket.connect('127.0.0.1', port)); assert(socket.write(client, 'bytes')) end)
socket.close(client); socket.close(l)

local path = os.tmpname()
check('fs', function(after)
  return spawn(function() assert(fs.writefile(path, 'file data')); local v = fs.readfile(path); after(); return v end)
end, function() end)
os.remove(path)

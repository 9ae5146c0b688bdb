-- Emilua's error words (errno strings) that programs match on, and
-- inbox:close() waking a fiber already waiting in receive.
local mutex = require('mutex')
local condition_variable = require('condition_variable')
local inbox = require('inbox')
-- (the worker keeps our address, in the message it waits after: our
-- receives below may wait)
if _CONTEXT == 'worker' then local m = inbox:receive(); inbox:receive(); return end
local function words(f, ...)
  local ok, err = pcall(f, ...)
  if ok then return 'no error' end
  for _, w in ipairs({ 'Operation not permitted', 'Resource deadlock avoided', 'Invalid argument',
                       'Device or resource busy', 'Reference cycle exists', 'Channel closed' }) do
    if tostring(err):find(w, 1, true) then return w end
  end
  return 'other: ' .. tostring(err)
end

local m = mutex.new()
print('unlock an unlocked mutex:', words(m.unlock, m))
print('cv wait without the mutex:', words(condition_variable.new().wait, condition_variable.new(), m))
print('join itself:', words(function()
  local me
  me = spawn(function() this_fiber.yield(); return words(me.join, me) end)
  return error(me:join())
end))
local f = spawn(function() end)
f:join()
print('join a joined fiber:', words(f.join, f))
local d = spawn(function() end)
d:detach()
print('join a detached fiber:', words(d.join, d))
local t = {}
t.self = t
print('send a cycle:', words(inbox.send, inbox, t))

-- a second receiver is busy; close wakes the first with Channel closed
spawn_vm('.'):send({ address = inbox })  -- our address is shared: receive may wait
local first = spawn(function() return words(inbox.receive, inbox) end)
this_fiber.yield()
print('second receiver:', words(inbox.receive, inbox))
inbox:close()
print('waiting receiver after close:', first:join())

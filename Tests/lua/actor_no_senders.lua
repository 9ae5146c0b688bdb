-- Emilua: when no address of an actor is left (or none was ever shared)
-- while a fiber waits in inbox:receive, the fiber wakes raising
-- 'Broadcast the address before attempting to receive on it'; the code after
-- the receive runs. (A worker actor's main fiber ending on it uncaught ends
-- quietly: the usual end of a server actor whose clients are gone.)
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local m = inbox:receive()
  if m.cmd == 'hold' then
    m.done:send('holding')
    inbox:receive()  -- ends quietly when main drops our address
  end
  return  -- 'drop': ends now, and with it its handle on main's address
end
local function caught(f, ...)
  local ok, err = pcall(f, ...)
  if ok then return 'ok' end
  return (tostring(err):gsub('^.-:%d+: ', ''))
end

print('never shared:', caught(inbox.receive, inbox))

-- the only holder ends while we wait
local a = spawn_vm('.')
a:send({ cmd = 'drop', from = inbox })
print('holder ended:', caught(inbox.receive, inbox))

-- a fiber waiting in receive when the holder goes: woken, then the code after runs
local holder = spawn_vm('.')
holder:send({ cmd = 'hold', done = inbox })
print(inbox:receive())
local waiter = spawn(function()
  local r = caught(inbox.receive, inbox)
  return 'after the receive: ' .. r
end)
this_fiber.yield()
holder = nil
collectgarbage(); collectgarbage()  -- our handle goes: the holder ends, its handle on us too
print(waiter:join())

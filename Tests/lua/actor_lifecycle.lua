--! args: --threads 2
-- spawn_vm placement and errors, monitor, crash isolation, dead actors, inbox errors
local inbox = require 'inbox'
local time = require 'time'

if _CONTEXT == 'worker' then
  local m = inbox:receive()
  if m.cmd == 'crash' then error('worker crashed on purpose') end
  if m.cmd == 'echo' then m.reply:send(m.value) end
  if m.cmd == 'wait' then inbox:receive() end
  return
end

print((select(2, pcall(spawn_vm, 'no.such.module'))):match('^[^\n]*'))
print(pcall(spawn_vm, 42))
print(pcall(spawn_vm, '.', { thread = 99 }))
print(pcall(spawn_vm, '.', 'x'))
print(pcall(spawn_vm, '.', { thread = 'one' }))
print(pcall(spawn_vm, '.', { inbox_capacity = 1.5 }))

-- pinned and inherited placement run the same code
for _, opts in ipairs({ { thread = 1 }, { thread = 2 }, { inherit_context = true } }) do
  local a = spawn_vm('.', opts)
  a:send({ cmd = 'echo', reply = inbox, value = 'placed' })
  print(inbox:receive())
end

-- monitor: a normal end and a crash both give a 'down' message
local ok_actor = spawn_vm('.')
ok_actor:monitor()
ok_actor:send({ cmd = 'none' })
local down = inbox:receive()
print(down.event, down.from == ok_actor, down.reason)

local crasher = spawn_vm('.', { monitor = true })
crasher:send({ cmd = 'crash' })
down = inbox:receive()
print(down.event, down.from == crasher, down.reason:match('worker crashed on purpose') ~= nil)

-- sending to an ended actor returns nil, 'dead' and does not raise
print(crasher:send('anyone there?'))

-- the crash did not stop other actors
local survivor = spawn_vm('.')
survivor:send({ cmd = 'echo', reply = inbox, value = 'still alive' })
print(inbox:receive())

-- monitoring an actor that already ended delivers 'down' at once
crasher:monitor()
print(inbox:receive().event)

-- an actor holding our address (in the message it waits after): the
-- receives below may wait; with nobody able to send to us they would raise
-- 'Broadcast the address ...' instead (see actor_no_senders)
local keeper = spawn_vm('.')
keeper:send({ cmd = 'wait', reply = inbox })

-- a second fiber receiving at once: busy
-- (the message is sent after the check: had it arrived first, f would have
-- taken it and returned, and the second receive would wait forever)
local waiter = spawn_vm('.')
local f = spawn(function() return inbox:receive() end)
this_fiber.yield()
print(pcall(inbox.receive, inbox))
waiter:send({ cmd = 'echo', reply = inbox, value = 'x' })
print(f:join())

-- interrupting a receive
local r = spawn(function() return pcall(inbox.receive, inbox) end)
this_fiber.yield()
r:interrupt()
print(r:join())
print(pcall(ok_actor.monitor, 'x'))

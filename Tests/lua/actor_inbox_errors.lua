-- receiving before one's address was shared, and a closed inbox (Emilua's words)
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local m = inbox:receive()
  inbox:close()
  local ok, err = pcall(inbox.receive, inbox)
  m.reply:send({ ok = ok, err = err })
  require('time').sleep(0.5)  -- stay alive (closed, not dead) while main sends
  return
end
print(pcall(inbox.receive, inbox))
local w = spawn_vm('.')
w:send({ reply = inbox })
local r = inbox:receive()
print('worker receive after close:', r.ok, r.err)
print('send to a closed inbox:', w:send('late'))

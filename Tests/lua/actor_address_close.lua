-- Emilua: address:close() drops this handle; a later send on it raises
-- 'Channel closed'. Other handles on the same actor still work, and when the
-- closed one was the last, the actor's receive finds nobody able to send.
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local m = inbox:receive()
  m.reply:send('got ' .. m.value)
  local ok, err = pcall(inbox.receive, inbox)
  m.reply:send(tostring(err):gsub('^.-:%d+: ', ''))
  return
end
local function caught(f, ...)
  local ok, err = pcall(f, ...)
  if ok then return 'ok' end
  return (tostring(err):gsub('^.-:%d+: ', ''))
end

local a = spawn_vm('.')
local copy = a
a:send({ reply = inbox, value = 1 })
print(inbox:receive())
a:close()
print('send after close:', caught(a.send, a, 'x'))
print('the same handle, another name:', caught(copy.send, copy, 'x'))
print('close twice:', caught(a.close, a))
print(tostring(a))
print('not an address:', caught(a.close, 'x'))
-- it was our only handle: the actor's receive raises
print('actor saw:', inbox:receive())

-- Values decoded by json (marked arrays, json.null) can be sent to another
-- actor and keep their meaning there.
local inbox = require('inbox')
if _CONTEXT == 'worker' then  -- receives before ever requiring json
  local m = inbox:receive()
  m.reply:send(m.value)
  local json = require('json')
  m = inbox:receive()
  m.reply:send(json.encode(m.value))
  return
end
local json = require('json')
local value = json.decode('{"list":[],"items":[1,null,3],"none":null}')
local a = spawn_vm('.')
a:send({ reply = inbox, value = value })
local back = inbox:receive()
print('round trip:', json.encode(back))
print('null kept:', back.none == json.null)
a:send({ reply = inbox, value = value })
print('encoded by the other actor:', inbox:receive())
print('other metatables still refused:', pcall(a.send, a, setmetatable({}, {})))

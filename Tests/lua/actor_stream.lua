--! args: --threads 2
-- a one-way stream across workers through a small inbox loses nothing and keeps order
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local setup = inbox:receive()
  local count, ordered, expect = 0, true, 1
  while true do
    local m = inbox:receive()
    if m == 'stop' then break end
    if m ~= expect then ordered = false end
    expect = expect + 1
    count = count + 1
  end
  setup.reply:send({ count = count, ordered = ordered })
  return
end
for _, opts in ipairs({ { thread = 2, inbox_capacity = 8 }, { inherit_context = true, inbox_capacity = 1 } }) do
  local sink = spawn_vm('.', opts)
  sink:send({ reply = inbox })
  for i = 1, 5000 do sink:send(i) end
  sink:send('stop')
  local r = inbox:receive()
  print('received', r.count, 'in order', r.ordered)
end

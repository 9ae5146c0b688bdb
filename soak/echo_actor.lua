-- The soak's supervised actor: answers messages, crashes on every 500th.
local inbox = require 'inbox'
while true do
  local m = inbox:receive()
  if m.n and m.n % 500 == 0 then error('soak: crash on purpose') end
  if m.reply then m.reply:send({ n = m.n }) end
end

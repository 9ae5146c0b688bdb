-- A child for the supervisor test: answers pings, crashes when told to.
local inbox = require 'inbox'
while true do
  local m = inbox:receive()
  if m.cmd == 'crash' then error('child told to crash') end
  if m.cmd == 'ping' then m.reply:send('pong') end
  if m.cmd == 'quit' then return end
end

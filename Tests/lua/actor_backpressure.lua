--! args: --threads 2
-- a full inbox makes send wait (no growth, no drop); capacity 0 is a rendezvous;
-- an interrupted sender's message is either delivered or withdrawn, never both
local inbox = require 'inbox'
local time = require 'time'

if _CONTEXT == 'worker' then
  local cfg = inbox:receive()
  time.sleep(0.2)               -- let the sender fill the inbox
  local got = {}
  for i = 1, cfg.count do got[#got + 1] = inbox:receive() end
  cfg.reply:send(got)
  return
end

-- capacity 2: the sender runs ahead by at most the capacity
local slow = spawn_vm('.', { inbox_capacity = 2 })
slow:send({ reply = inbox, count = 6 })
local t0 = time.monotonic()
local sent_at = {}
for i = 1, 6 do slow:send(i); sent_at[i] = time.monotonic() - t0 end
local got = inbox:receive()
print('in order:', table.concat(got, ','))
print('first two did not wait:', sent_at[2] < 0.1, 'later ones waited:', sent_at[6] >= 0.15)

-- capacity 0: send returns only once the receiver took the message
local rv = spawn_vm('.', { inbox_capacity = 0 })
local cfg_sent = time.monotonic()
rv:send({ reply = inbox, count = 1 })
print('rendezvous send waited for receive:', time.monotonic() - cfg_sent < 0.1)
t0 = time.monotonic()
rv:send('x')
print('second rendezvous waited:', time.monotonic() - t0 >= 0.15)
print(table.concat(inbox:receive(), ','))

-- interrupt a blocked sender: its message is withdrawn
local rv2 = spawn_vm('.', { inbox_capacity = 0 })
rv2:send({ reply = inbox, count = 1 })
local blocked = spawn(function() return pcall(rv2.send, rv2, 'withdrawn') end)
time.sleep(0.05)
blocked:interrupt()
print('blocked sender:', blocked:join())
rv2:send('delivered instead')
print(table.concat(inbox:receive(), ','))

--! args: --threads 2
-- An actor that ends drops its queued messages: a sender blocked on its full
-- inbox gets nil, "dead", and so do later sends.
local gated = require 'helpers.gated_receiver'
local inbox = require 'inbox'

local gate = gated.open_gate()
local actor, conn, state = gated.start(gate, { inbox_capacity = 3, monitor = true }, 10)
print('sent before blocking:', gated.wait_blocked(state))
conn:write('quit\n')   -- the actor ends without receiving anything
conn:close()
print('the blocked send returned nil,', state.sender:join())
local down = inbox:receive()
print(down.event, down.from == actor, down.reason)
print('send after the end:', actor:send('late'))
gate:close()

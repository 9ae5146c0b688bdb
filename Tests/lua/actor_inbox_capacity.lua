--! args: --threads 2
-- The default inbox capacity is 64: a sender to an actor that does not receive
-- sends exactly 64 messages, then waits; nothing is lost once it drains.
-- opts.inbox_capacity overrides it. The receiver is blocked on a socket, not
-- on a timer, so the counts cannot depend on timing.
local gated = require 'helpers.gated_receiver'

local gate = gated.open_gate()
print('default capacity: sent before blocking', gated.fill(gate, nil, 100))
print('inbox_capacity = 5: sent before blocking', gated.fill(gate, { inbox_capacity = 5 }, 20))
print('inbox_capacity = 1: sent before blocking', gated.fill(gate, { inbox_capacity = 1 }, 4))
gate:close()

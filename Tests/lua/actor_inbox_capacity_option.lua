--! args: --threads 2 --inbox-capacity 3
-- --inbox-capacity sets every actor's default capacity; opts.inbox_capacity
-- still overrides it.
local gated = require 'helpers.gated_receiver'

local gate = gated.open_gate()
print('--inbox-capacity 3: sent before blocking', gated.fill(gate, nil, 10))
print('inbox_capacity = 7 overrides it:', gated.fill(gate, { inbox_capacity = 7 }, 12))
gate:close()

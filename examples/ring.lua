-- Erlang's ring: N actors in a circle pass a token M times around.
local inbox = require 'inbox'

if _CONTEXT == 'main' then
    local size, laps = tonumber(arg[1]) or 100, tonumber(arg[2]) or 10
    -- Each actor learns its successor; the last one's successor is main.
    local first = spawn_vm('.')
    local prev = first
    for i = 2, size do
        local node = spawn_vm('.')
        prev:send({ next = node, id = i - 1 })
        prev = node
    end
    prev:send({ next = inbox, id = size })
    local hops = 0
    for lap = 1, laps do
        first:send({ hops = hops, lap = lap })
        local token = inbox:receive()
        hops = token.hops
    end
    first:send('stop')
    assert(inbox:receive() == 'stop')
    print(('token went %d times around a ring of %d actors: %d hops'):format(laps, size, hops))
else
    local setup = inbox:receive()
    local next_actor = setup.next
    while true do
        local token = inbox:receive()
        if token == 'stop' then next_actor:send('stop'); break end
        token.hops = token.hops + 1
        next_actor:send(token)
    end
end

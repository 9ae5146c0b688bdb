-- Two actors (VMs, possibly on different threads) pass a counter back and forth.
local inbox = require 'inbox'

if _CONTEXT == 'main' then
    local rounds = tonumber(arg[1]) or 1000
    local pong = spawn_vm('.')
    pong:send({ ping = inbox })
    for i = 1, rounds do
        pong:send(i)
        assert(inbox:receive() == i)
    end
    pong:send('stop')
    print(('%d round trips done'):format(rounds))
else
    local ping = inbox:receive().ping
    while true do
        local n = inbox:receive()
        if n == 'stop' then break end
        ping:send(n)
    end
end

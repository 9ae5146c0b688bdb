-- Spread CPU work over every core: one worker actor per thread, jobs by
-- message, results collected by the main actor.
local inbox = require 'inbox'

local function count_primes(from, to)
    local count = 0
    for n = math.max(from, 2), to do
        local prime = true
        for d = 2, math.floor(math.sqrt(n)) do
            if n % d == 0 then prime = false; break end
        end
        if prime then count = count + 1 end
    end
    return count
end

if _CONTEXT == 'main' then
    local limit, chunk = tonumber(arg[1]) or 200000, 10000
    local workers = {}
    for i = 1, 4 do workers[i] = spawn_vm('.') end
    local jobs = 0
    for from = 1, limit, chunk do
        jobs = jobs + 1
        workers[(jobs - 1) % #workers + 1]:send({ from = from, to = math.min(from + chunk - 1, limit), reply = inbox })
    end
    local total = 0
    for _ = 1, jobs do total = total + inbox:receive() end
    for _, w in ipairs(workers) do w:send('stop') end
    print(('%d primes below %d, counted in %d jobs by %d actors'):format(total, limit, jobs, #workers))
else
    while true do
        local job = inbox:receive()
        if job == 'stop' then break end
        job.reply:send(count_primes(job.from, job.to))
    end
end

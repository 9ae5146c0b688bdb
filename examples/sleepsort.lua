-- Sleepsort (from Emilua's getting-started guide): one fiber per number, each
-- sleeping n/100 seconds before printing n, so the numbers come out sorted.
local sleep = require('time').sleep

local numbers = {8, 42, 38, 111, 2, 39, 1}

for _, n in pairs(numbers) do
    spawn(function()
        sleep(n / 100)
        print(n)
    end)
end

-- Client side of Benchmarks/idle_connections.sh: opens arg[2] connections to
-- 127.0.0.1:arg[1], prints "open N" once they are all established, then holds
-- them for arg[3] seconds (default 60).
local socket = require 'socket'
local sleep = require('time').sleep
local port, n, hold = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3] or 60)
local conns, failed, lanes = {}, 0, 50
local workers = {}
for lane = 1, lanes do
  workers[lane] = spawn(function()
    for i = lane, n, lanes do
      local c, err = socket.connect('127.0.0.1', port)
      if c then conns[i] = c else failed = failed + 1 end
    end
  end)
end
for _, w in ipairs(workers) do w:join() end
print('open ' .. (n - failed) .. ' failed ' .. failed)
io.stdout:flush()
sleep(hold)

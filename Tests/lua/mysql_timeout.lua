-- mysql: connect_timeout against a server that accepts but never answers
-- (the connection's watchdog timer): nil, "timeout"; other fibers keep running.
-- Needs no MySQL server: a python3 listener plays the silent server.
local mysql = require('mysql')
local time = require('time')
local portfile = os.tmpname()
os.execute(([[python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open("%s", "w").write(str(s.getsockname()[1]))
c = s.accept(); time.sleep(4)' >/dev/null 2>&1 &]]):format(portfile))
local port
for _ = 1, 100 do
  local f = io.open(portfile)
  port = f and tonumber(f:read('*a'))
  if f then f:close() end
  if port then break end
  time.sleep(0.05)
end
os.remove(portfile)
assert(port, 'the silent listener did not start')

local ticks, done = 0, false
local ticker = spawn(function() while not done do time.sleep(0.1); ticks = ticks + 1 end end)
local t0 = time.monotonic()
local conn, err = mysql.open({ host = '127.0.0.1', port = port, user = 'nobody', connect_timeout = 1 })
local took = time.monotonic() - t0
done = true
ticker:join()
print('timed out:', conn, err, 'after about 1 s:', took > 0.8 and took < 2.5, 'ticker ran:', ticks >= 5)

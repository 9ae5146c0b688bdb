-- mysql: a server frozen with SIGSTOP (scripts/with-mariadb gives its pid)
-- cannot hang a call: read_timeout, write_timeout, settimeout and
-- connect_timeout each return nil, "timeout" within their time; the server is
-- continued afterwards and answers again. The server is stopped for well under
-- a second (other tests share it).
local mysql = require('mysql')
local H = require('helpers.mysql')
local time = require('time')
local pid = assert(os.getenv('MOONBASE_MYSQL_PID'), 'MOONBASE_MYSQL_PID is not set (run under scripts/with-mariadb)')
assert(tonumber(pid), 'MOONBASE_MYSQL_PID is not a pid')

local reader = H.connect({ read_timeout = 0.3 })
local writer = H.connect({ write_timeout = 0.3 })
local whole = H.connect()
whole:settimeout(0.3)
-- more than the socket buffers hold, less than max_allowed_packet (64M)
local big = "SELECT LENGTH('" .. string.rep('x', 32 * 1024 * 1024) .. "') AS n"

local function timed(what, f)
  return spawn(function()
    local t0 = time.monotonic()
    local r, err = f()
    local took = time.monotonic() - t0
    return what, r, err, took > 0.25 and took < 1.5
  end)
end

-- whatever happens here, the server runs again in 5 s
os.execute(('(sleep 5; kill -CONT %d) >/dev/null 2>&1 &'):format(pid))
-- stop it, and wait until each of its threads has stopped (a busy one may still answer)
os.execute(([[kill -STOP %d; for _ in $(seq 200); do
  grep -qh '^[0-9]* (.*) [^T]' /proc/%d/task/*/stat 2>/dev/null || break; sleep 0.01; done]]):format(pid, pid))
local calls = {
  timed('read_timeout', function() return reader:query('SELECT 1 AS x') end),
  timed('write_timeout', function() return writer:query(big) end),
  timed('settimeout', function() return whole:exec('SELECT 1 AS x') end),
  timed('connect_timeout', function()
    local o = { connect_timeout = 0.3 }
    for k, v in pairs(H.opts) do o[k] = v end
    return mysql.open(o)
  end),
}
local results = {}
for i, f in ipairs(calls) do results[i] = { pcall(f.join, f) } end
os.execute(('kill -CONT %d'):format(pid))
for _, r in ipairs(results) do print(unpack(r, 1, 5)) end

for _, c in ipairs({ reader, writer, whole }) do print('closed after:', c:query('SELECT 1')) end
local again = H.connect({ read_timeout = 5 })
local rows, err = again:query('SELECT 1 AS x')
print('the server answers again:', rows and rows[1].x, err)
again:close()

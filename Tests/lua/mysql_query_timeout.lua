-- mysql: read_timeout (each wait for the server's answer) and conn:settimeout
-- (a whole query) bound how long a call waits: it returns nil, "timeout" and
-- the connection is closed. Other fibers run meanwhile.
local mysql = require('mysql')
local H = require('helpers.mysql')
local time = require('time')

local function timed(conn, sql, ...)
  local t0 = time.monotonic()
  local r, err = conn:query(sql, ...)
  return r, err, time.monotonic() - t0
end
local function about(took, s) return took > s - 0.05 and took < s + 0.8 end

-- read_timeout: a fast query passes, a slow one times out and closes the connection
local conn = H.connect({ read_timeout = 0.2 })
print('fast query:', conn:query('SELECT 1 AS x')[1].x)
local queued = spawn(function() time.sleep(0.05); return conn:query('SELECT 2 AS x') end)
local r, err, took = timed(conn, 'SELECT SLEEP(2) AS s')
print('read_timeout:', r, err, 'after about 0.2 s:', about(took, 0.2))
print('queued behind it:', queued:join())
print('closed after:', conn:query('SELECT 1'))

-- with parameters (a prepared statement)
conn = H.connect({ read_timeout = 0.2 })
r, err, took = timed(conn, 'SELECT SLEEP(?) AS s', 2)
print('read_timeout, prepared:', r, err, 'after about 0.2 s:', about(took, 0.2))
print('closed after:', conn:exec('SELECT 1'))

-- settimeout: the whole query; nil removes it
conn = H.connect()
print('settimeout:', conn:settimeout(1))
print('shorter query:', conn:query('SELECT SLEEP(0.1) AS s')[1].s)
print('settimeout(nil):', conn:settimeout(nil))
print('no limit:', conn:query('SELECT SLEEP(0.4) AS s')[1].s)
conn:settimeout(0.3)
local ticks, done = 0, false
local ticker = spawn(function() while not done do time.sleep(0.05); ticks = ticks + 1 end end)
r, err, took = timed(conn, 'SELECT SLEEP(2) AS s')
done = true
ticker:join()
print('settimeout(0.3):', r, err, 'after about 0.3 s:', about(took, 0.3), 'ticker ran:', ticks >= 3)
print('closed after:', conn:query('SELECT 1'))
print('settimeout on a closed connection:', conn:settimeout(1))

-- lunet.mysql: the same connections
local lunet = require('lunet.mysql')
conn = assert(lunet.open({ host = H.opts.host, port = H.opts.port, user = H.opts.user,
  password = H.opts.password, database = H.opts.database, read_timeout = 0.2 }))
print('lunet:', lunet.query(conn, 'SELECT SLEEP(2) AS s'))

-- bad arguments raise
conn = H.connect()
for _, v in ipairs({ -1, 0, 0 / 0, math.huge, 2 ^ 63, 'x', true }) do
  local ok, e = pcall(conn.settimeout, conn, v)
  print('settimeout', v ~= v and 'nan' or tostring(v), ok, (tostring(e):gsub('got %-?nan', 'got nan')))
end
print(pcall(mysql.settimeout, 'conn', 1))
-- the parameter count of a table of parameters reaches C too
for _, n in ipairs({ -1, 2 ^ 31, 2 ^ 63, 0 / 0, 1.5, 'x' }) do
  local ok, e = pcall(conn.query, conn, 'SELECT ? AS x', { 7, n = n })
  print('params.n', n ~= n and 'nan' or tostring(n), ok, (tostring(e):gsub('got %-?nan', 'got nan')))
end
print('n = 1:', conn:query('SELECT ? AS x', { 7, n = 1 })[1].x)
conn:close()

-- mysql: only the calling fiber waits; fibers sharing a connection are queued;
-- interruption mid-query; reconnect after the server kills the connection
local mysql = require('mysql')
local time = require('time')
local H = require('helpers.mysql')
local conn = H.connect()

-- SELECT SLEEP(1) suspends only its fiber: a ticker keeps running meanwhile
local ticks, sleeping = 0, true
local ticker = spawn(function()
  while sleeping do time.sleep(0.1); ticks = ticks + 1 end
end)
local t0 = time.monotonic()
local rows = conn:query('SELECT SLEEP(1) AS s')
sleeping = false
ticker:join()
print('sleep result:', rows[1].s, 'ticks during the query >= 5:', ticks >= 5, 'took about 1 s:', time.monotonic() - t0 < 1.9)

-- two fibers on one connection: served one after the other, not an error
local order = {}
local fibers = {}
for i = 1, 5 do
  fibers[i] = spawn(function()
    local r, err = conn:query('SELECT ? AS i, SLEEP(0.05) AS s', i)
    order[#order + 1] = r and r[1].i or err
  end)
end
for i = 1, 5 do fibers[i]:join() end
print('queued order:', table.concat(order, ','))
-- parallel queries on separate connections overlap
local conns = { H.connect(), H.connect(), H.connect() }
t0 = time.monotonic()
for i = 1, 3 do fibers[i] = spawn(function() return conns[i]:query('SELECT SLEEP(0.5) AS s')[1].s end) end
for i = 1, 3 do fibers[i]:join() end
print('3 connections in parallel:', time.monotonic() - t0 < 1.2)
for i = 1, 3 do conns[i]:close() end

-- interrupting a fiber mid-query: the call raises "interrupted", the
-- connection is closed cleanly and later use returns nil, "closed"
local victim = H.connect()
local f = spawn(function() return victim:query('SELECT SLEEP(5)') end)
local waiting = spawn(function() time.sleep(0.05); return victim:query('SELECT 1 AS x') end)
time.sleep(0.2)
t0 = time.monotonic()
f:interrupt()
print('interrupted:', pcall(f.join, f))
print('queued behind it:', waiting:join())
print('later use:', victim:query('SELECT 1'))
print('interrupt took no wait:', time.monotonic() - t0 < 0.5)
-- close during a query (from another fiber) never blocks: the query returns nil, "closed"
local victim2 = H.connect()
f = spawn(function() return victim2:query('SELECT SLEEP(5)') end)
time.sleep(0.1)
t0 = time.monotonic()
victim2:close()
print('closed mid-query:', f:join())
print('close took no wait:', time.monotonic() - t0 < 0.5)

-- the server kills the connection: nil, err; then it can be reopened
local killer = H.connect()
local doomed = H.connect()
local id = doomed:query('SELECT CONNECTION_ID() AS id')[1].id
assert(killer:exec('KILL CONNECTION ' .. math.floor(id)))
time.sleep(0.1)
local r, err = doomed:query('SELECT 1 AS x')
print('after KILL:', r, err and err:match('^(%d+):') ~= nil)
doomed:close()
doomed = H.connect()
print('reopened:', doomed:query('SELECT 1 AS x')[1].x)

-- a connection killed while a query runs
local id2 = doomed:query('SELECT CONNECTION_ID() AS id')[1].id
f = spawn(function() return doomed:query('SELECT SLEEP(3)') end)
time.sleep(0.2)
killer:exec('KILL CONNECTION ' .. math.floor(id2))
local a, b = f:join()
print('killed mid-query:', a, b and b:match('^(%d+):') ~= nil)
killer:close()
doomed:close()
conn:close()

print('done')

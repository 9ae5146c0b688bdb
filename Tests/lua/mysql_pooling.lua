-- mysql_pool (actors/mysql_pool.lua): an in-VM pool of mysql connections
local time = require('time')
local H = require('helpers.mysql')
local pool = require('mysql_pool').new({ size = 2, idle_timeout = 5, check_after = 0.2, connect = H.opts })

-- 6 fibers, 2 connections: at most 2 queries at once, connections reused
local ids, active, most = {}, 0, 0
local fibers = {}
for i = 1, 6 do
  fibers[i] = spawn(function()
    return pool:with(function(conn)
      active = active + 1
      most = math.max(most, active)
      local row = conn:query('SELECT CONNECTION_ID() AS id, SLEEP(0.2) AS s')[1]
      active = active - 1
      ids[row.id] = true
      return i
    end)
  end)
end
local sum = 0
for i = 1, 6 do sum = sum + fibers[i]:join() end
local distinct = 0
for _ in pairs(ids) do distinct = distinct + 1 end
print('results:', sum, 'at most in use:', most, 'connections:', distinct)

-- acquire/release by hand
local c1 = assert(pool:acquire())
local c2 = assert(pool:acquire())
local third = spawn(function() local c = pool:acquire(); local x = c:query('SELECT 3 AS x')[1].x; pool:release(c); return x end)
time.sleep(0.05)
print('third waits while both are out')
pool:release(c1)
print('third got one:', third:join())
pool:release(c2)

-- an error inside with: re-raised, the connection is closed and replaced
print(pcall(pool.with, pool, function(conn) error('boom', 0) end))
print('still serves:', pool:with(function(conn) return conn:query('SELECT 1 AS x')[1].x end))

-- health check: an idle connection killed by the server is replaced
local killer = H.connect()
local victim = assert(pool:acquire())
local vid = victim:query('SELECT CONNECTION_ID() AS id')[1].id
pool:release(victim)
assert(killer:exec('KILL CONNECTION ' .. math.floor(vid)))
time.sleep(0.3)
local got = pool:with(function(conn) return conn:query('SELECT CONNECTION_ID() AS id')[1].id end)
print('replaced after health check:', got ~= nil and got ~= vid)
killer:close()

-- idle timeout: connections idle for longer are closed at the next acquire or
-- release, so the pool shrinks after a burst
local short = require('mysql_pool').new({ size = 2, idle_timeout = 0.2, connect = H.opts })
local a, b = assert(short:acquire()), assert(short:acquire())
local aid = a:query('SELECT CONNECTION_ID() AS id')[1].id
short:release(a); short:release(b)
print('idle after the burst:', #short.idle)
time.sleep(0.3)
local c = assert(short:acquire())
print('stale ones closed, a new one opened:', #short.idle, c:query('SELECT CONNECTION_ID() AS id')[1].id ~= aid)
short:release(c)
short:close()

pool:close()
print('after close:', pool:acquire())
print(pcall(require('mysql_pool').new, {}))
print(pcall(require('mysql_pool').new, { connect = {}, idle_timeout = 'soon' }))

-- mysql_pool: a connection whose `with` raised is closed, never handed out again;
-- close() with connections still out lets them finish, then closes them on release.
local H = require('helpers.mysql')
local mysql_pool = require('mysql_pool')
local time = require('time')
local pool = mysql_pool.new({ size = 1, connect = H.opts })

local used, used_id
print(pcall(pool.with, pool, function(conn)
  used = conn
  used_id = conn:query('SELECT CONNECTION_ID() AS id')[1].id
  error('boom', 0)
end))
print('the failed connection is closed:', used:query('SELECT 1'))
print('idle connections kept:', #pool.idle)
local next_id = pool:with(function(conn) return conn:query('SELECT CONNECTION_ID() AS id')[1].id end)
print('the next with gets another connection:', next_id ~= used_id)

-- close while a connection is out: its query finishes, release closes it
local busy = spawn(function()
  return pool:with(function(conn)
    used = conn
    return conn:query('SELECT 5 AS n, SLEEP(0.1) AS s')[1].n
  end)
end)
time.sleep(0.03)
pool:close()
print('busy query finished after close:', busy:join())
print('released connection closed:', used:query('SELECT 1'))
print('idle after close:', #pool.idle, 'acquire:', pool:acquire())

-- mysql_pool: a query past the connection's read_timeout returns nil, "timeout",
-- and the pool replaces the connection (closed by the timeout) instead of
-- handing it out again.
local mysql_pool = require('mysql_pool')
local H = require('helpers.mysql')
local connect = { read_timeout = 0.2 }
for k, v in pairs(H.opts) do connect[k] = v end
local db = mysql_pool.client(mysql_pool.start({ size = 1, connect = connect }))
local first = db:query('SELECT CONNECTION_ID() AS id')[1].id
print('slow query:', db:query('SELECT SLEEP(2) AS s'))
local rows, err = db:query('SELECT CONNECTION_ID() AS id')
print('next query:', rows and rows[1].id ~= first, err)
-- the in-VM pool too
local pool = require('mysql_pool').new({ size = 1, connect = connect })
print('in-VM slow query:', pool:with(function(c) return c:query('SELECT SLEEP(2) AS s') end))
print('in-VM next query:', pool:with(function(c) return c:query('SELECT 1 AS x')[1].x end))
pool:close()
db:stop()

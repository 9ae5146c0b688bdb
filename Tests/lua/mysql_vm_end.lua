-- mysql: a VM that ends (here: its main fiber fails) closes its connections,
-- also one with a query in flight, without waiting for the query
local H = require('helpers.mysql')
local time = require('time')
local c = H.connect()
local idle = H.connect()
spawn(function() c:query('SELECT SLEEP(300)') end)
time.sleep(0.1)
print('failing with connections open')
error('main fails on purpose')

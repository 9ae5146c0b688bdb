-- Server side of Benchmarks/idle_connections.sh: an HTTP server whose connections
-- stay idle (each one a fiber waiting for a request). arg[1]: port.
local http = require 'http'
local srv = assert(http.serve('127.0.0.1', tonumber(arg[1]), function() return 200, 'hello' end,
                              { backlog = 4096 }))
print('ready')
io.stdout:flush()

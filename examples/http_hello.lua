-- Keep-alive "hello world" over HTTP/1.1.
-- `moonbase run examples/http_hello.lua serve [port]` serves forever (port 8080 by
-- default; used by Benchmarks/http_hello.sh). Without `serve` it answers a few
-- requests from a client in the same program, prints them, and exits.
local http = require 'http'
local socket = require 'socket'

local serve_forever = arg and arg[1] == 'serve'
local port = serve_forever and tonumber(arg[2] or 8080) or 0

local server = assert(http.serve('127.0.0.1', port, function(req)
  return 200, 'hello'
end, { reuseport = true }))

if serve_forever then
  print('http_hello on port ' .. select(2, server:getsockname()))
  return
end

-- The test: three requests on one keep-alive connection.
local conn = assert(socket.connect('127.0.0.1', select(2, server:getsockname())))
for i = 1, 3 do
  conn:write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')
  local status = conn:readline()
  local length
  while true do
    local line = conn:readline()
    if line == '' then break end
    length = tonumber(line:match('^Content%-Length: (%d+)')) or length
  end
  print(i, status, conn:read(length))
end
conn:close()
server:close()

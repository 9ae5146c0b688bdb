-- docs/GUIDE.md, "Hello world": an HTTP server, asked once by a client fiber.
local http = require 'http'
local socket = require 'socket'

local server = assert(http.serve('127.0.0.1', 0, function(req)
  return 200, 'hello from ' .. req.path
end))
local port = select(2, server:getsockname())

local conn = assert(socket.connect('127.0.0.1', port))
conn:write('GET /world HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
print(conn:readline())
repeat local line = conn:readline() until line == ''
print(conn:read())
conn:close()
server:close()

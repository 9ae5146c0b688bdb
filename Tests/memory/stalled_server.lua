--! args: --threads 1
-- Run by ConnectionMemoryTests: an HTTP server writing its port to the file
-- arg[1]. GET /big answers one 256 KiB string shared by every response (a
-- client that never reads fills the kernel's buffers after a few); anything
-- else answers 'hello'. stalled_client.py then measures its memory.
local http = require 'http'
local big = string.rep('x', 262144)
local server = assert(http.serve('127.0.0.1', 0, function(req)
  if req.path == '/big' then return 200, big end
  return 200, 'hello'
end))
local f = assert(io.open(arg[1], 'w'))
f:write(select(2, server:getsockname()), '\n')
f:close()

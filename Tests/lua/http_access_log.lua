-- http.serve{access_log = true}: one log line per answered request with the
-- remote address, method, path, status, bytes and duration (lua/log.lua).
local http, socket = require 'http', require 'socket'
local log = require 'log'
log.configure{ format = 'json' }
local server = assert(http.serve('127.0.0.1', 0, function(req, res)
  if req.path == '/missing' then return 404, 'no such note' end
  return 200, 'hello'
end, { access_log = true }))
local _, port = server:getsockname()
local c = assert(socket.connect('127.0.0.1', port))
for _, path in ipairs({ '/a', '/missing' }) do
  c:write('GET ' .. path .. ' HTTP/1.1\r\nHost: x\r\n\r\n')
  local status = c:readline()
  while c:readline() ~= '' do end
  print(status, c:read(path == '/a' and 5 or 12))
end
c:close()
server:close()

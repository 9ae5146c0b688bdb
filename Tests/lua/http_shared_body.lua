-- http: one big body string answered to several clients that do not read is
-- held once: a response write that waits keeps a reference to the Lua
-- string, not a copy (issue 12 item 3: 100 MB to 5 slow readers was +490 MB).
local http = require 'http'
local socket = require 'socket'

local function rss_mib()
  local f = assert(io.open('/proc/self/status'))
  local kib = f:read('*a'):match('VmRSS:%s*(%d+)')
  f:close()
  return tonumber(kib) / 1024
end

local body = string.rep('b', 32 * 1024 * 1024)
local server = assert(http.serve('127.0.0.1', 0, function() return 200, body end))
local _, port = server:getsockname()
collectgarbage()
local before = rss_mib()

-- Five clients read the status line and stall: each response waits in a write.
local clients = {}
for i = 1, 5 do
  local c = assert(socket.connect('127.0.0.1', port))
  assert(c:write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
  clients[i] = c
  print('client ' .. i .. ':', c:readline(5))
end
require('time').sleep(0.3)
local grown = rss_mib() - before
print('held once (growth under 16 MiB for 5 x 32 MiB):', grown < 16, grown >= 16 and grown or '')

-- Reading on gets the whole body, intact.
local c = clients[1]
repeat local line = c:readline(5) until line == ''
local got = c:read(#body, 10)
print('first client got the body:', got == body)
for _, c in ipairs(clients) do c:close() end
server:close()

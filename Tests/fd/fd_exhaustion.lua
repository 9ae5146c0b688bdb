--! args: --threads 2
-- Run by FDExhaustionTests under `ulimit -n 64`: two workers serve one port
-- (SO_REUSEPORT) and write it to the file arg[1]; fd_exhaustion_client.py then takes every file
-- descriptor with connections, checks the server spends no CPU meanwhile, and
-- that both workers answer again once it lets go. The test then kills this.
local http = require 'http'
local inbox = require 'inbox'

if _CONTEXT ~= 'main' then
  local order = inbox:receive()
  local server = assert(http.serve('127.0.0.1', order.port, function() return 200, 'hello' end,
    { reuseport = true, backlog = 1024 }))
  order.reply:send({ port = select(2, server:getsockname()) })
  inbox:receive()
  return
end

local servers, port = {}, 0
for k = 1, 2 do
  servers[k] = spawn_vm('.', { thread = k })
  servers[k]:send({ port = port, reply = inbox })
  port = inbox:receive().port
end
local f = assert(io.open(arg[1], 'w'))
f:write(port, '\n')
f:close()
inbox:receive()

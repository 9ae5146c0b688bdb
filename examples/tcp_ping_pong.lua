-- cosock-style ping-pong: a server and a client in one program, each a fiber,
-- trading lines over TCP until the client has sent five pings.
local socket = require 'socket'

local server = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = server:getsockname()

spawn(function()
  local conn = assert(server:accept())
  while true do
    local line = conn:readline()
    if not line then break end
    print('server got ' .. line)
    conn:write('pong ' .. line:match('%d+') .. '\n')
  end
  conn:close()
  server:close()
end)

spawn(function()
  local conn = assert(socket.connect('127.0.0.1', port))
  for i = 1, 5 do
    conn:write('ping ' .. i .. '\n')
    print('client got ' .. conn:readline())
  end
  conn:close()
end)

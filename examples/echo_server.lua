-- Lunet's echo server: one fiber per connection, echoing until the client leaves.
-- `moonbase run examples/echo_server.lua serve [port]` serves forever; without
-- `serve` it runs three clients against itself, prints what they got, and exits.
local lunet = require 'lunet'
local socket = require 'lunet.socket'

local serve_forever = arg and arg[1] == 'serve'
local port = serve_forever and tonumber(arg[2] or 8081) or 0

local listener, err = socket.listen('tcp', '127.0.0.1', port)
if not listener then error('listen: ' .. err) end
local _, bound = socket.getsockname(listener)
if serve_forever then print('echo server on port ' .. bound) end

lunet.spawn(function()
  while true do
    local client = socket.accept(listener)
    if not client then break end  -- listener closed
    lunet.spawn(function()
      while true do
        local data, rerr = socket.read(client)
        if not data then break end  -- nil, nil at end of stream
        if socket.write(client, data) then break end  -- an error string
      end
      socket.close(client)
    end)
  end
end)

if serve_forever then return end

local done, replies = 0, {}
for i = 1, 3 do
  lunet.spawn(function()
    local conn = assert(socket.connect('127.0.0.1', bound))
    socket.write(conn, 'hello from client ' .. i)
    local reply = socket.read(conn)
    replies[i] = reply
    socket.close(conn)
    done = done + 1
    if done == 3 then
      for j = 1, 3 do print('client ' .. j .. ' got: ' .. replies[j]) end
      socket.close(listener)
    end
  end)
end

-- LuaAsio's exact-size read ping-pong: messages framed by a 4-byte length,
-- read with conn:read(n), which returns exactly n bytes however TCP splits them.
local socket = require 'socket'

local function send_msg(conn, msg)
  local n = #msg
  local header = string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
                             math.floor(n / 256) % 256, n % 256)
  return conn:write(header .. msg)
end

local function recv_msg(conn)
  local header, err = conn:read(4)
  if not header then return nil, err end
  local a, b, c, d = header:byte(1, 4)
  return conn:read(((a * 256 + b) * 256 + c) * 256 + d)
end

local server = assert(socket.listen('tcp', '127.0.0.1', 0))
local _, port = server:getsockname()

spawn(function()
  local conn = assert(server:accept())
  while true do
    local msg = recv_msg(conn)
    if not msg then break end
    send_msg(conn, msg:upper())
  end
  conn:close()
  server:close()
end)

local conn = assert(socket.connect('127.0.0.1', port))
for _, size in ipairs({ 1, 10, 1000, 100000, 3000000 }) do
  local msg = string.rep('ab', size / 2 + 1):sub(1, size)
  send_msg(conn, msg)
  local reply = recv_msg(conn)
  print(size, #reply, reply == msg:upper())
end
conn:close()

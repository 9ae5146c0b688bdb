-- require 'lunet.socket': Lunet's conventions over socket (see Modules/Socket/LunetSocket.swift).
local socket = require 'socket'
local M = {}
local function is_path(h) return type(h) == 'string' and h:find('/', 1, true) ~= nil end
function M.listen(proto, host, port, opts)
  if proto == 'unix' then return socket.listen('unix', host, port) end
  if is_path(host) then return socket.listen('unix', host, opts) end
  return socket.listen(proto, host, port, opts)
end
function M.connect(host, port)
  if is_path(host) then return socket.connect('unix', host) end
  return socket.connect(host, port)
end
function M.read(conn)
  local data, err = socket.read(conn)
  if data == nil and err == 'closed' then return nil, nil end
  return data, err
end
function M.write(conn, data)
  local ok, err = socket.write(conn, data)
  if ok then return nil end
  return err
end
function M.close(h)
  socket.close(h)
  return nil
end
M.accept = socket.accept
M.getpeername = socket.getpeername
M.getsockname = socket.getsockname
M.set_nodelay = socket.setnodelay
M.setnodelay = socket.setnodelay
M.readline = socket.readline
return M

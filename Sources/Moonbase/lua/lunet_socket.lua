-- require 'lunet.socket': Lunet's conventions over socket (see Modules/Socket/LunetSocket.swift).
local socket = require 'socket'
local M = {}
local function is_path(h) return type(h) == 'string' and h:find('/', 1, true) ~= nil end
function M.listen(proto, host, port, opts)
  -- Lunet passes a port for Unix sockets too (ignored); a table there is our options.
  if proto == 'unix' then return socket.listen('unix', host, type(port) == 'table' and port or opts) end
  if is_path(host) then return socket.listen('unix', host, opts) end
  return socket.listen(proto, host, port, opts)
end
function M.connect(host, port)
  if is_path(host) then return socket.connect('unix', host) end
  return socket.connect(host, port)
end
-- Lunet's texts: a handle closed here is "socket closed" / "listener closed";
-- the peer's end of stream is nil, nil.
local closed_here = setmetatable({}, { __mode = 'k' })
function M.read(conn)
  if closed_here[conn] then return nil, 'socket closed' end
  local data, err = socket.read(conn)
  if data == nil and err == 'closed' then
    if closed_here[conn] then return nil, 'socket closed' end
    return nil, nil
  end
  return data, err
end
function M.accept(l)
  if tostring(l) == 'socket.conn' then return nil, 'not a listening socket' end
  if closed_here[l] then return nil, 'listener closed' end
  local c, err = socket.accept(l)
  if c == nil and err == 'closed' then return nil, 'listener closed' end
  return c, err
end
function M.write(conn, data)
  if closed_here[conn] then return 'socket closed' end
  local ok, err = socket.write(conn, data)
  if ok then return nil end
  return err
end
function M.close(h)
  if type(h) == 'userdata' then closed_here[h] = true end
  socket.close(h)
  return nil
end
-- Lunet's per-connection read buffer size; here the read ceiling (bytes
-- buffered ahead of the reader). nil on success or the error, Lunet's way.
function M.set_read_buffer_size(conn, size)
  if type(size) ~= 'number' or size < 1 or size % 1 ~= 0 then
    error("lunet.socket.set_read_buffer_size: bad argument #2 'size' (integer >= 1 expected, got "
      .. tostring(size) .. ")", 2)
  end
  if closed_here[conn] then return 'socket closed' end
  local ok, err = socket.setreadlimit(conn, size)
  if ok then return nil end
  return err
end
M.getpeername = socket.getpeername
M.getsockname = socket.getsockname
M.set_nodelay = socket.setnodelay
M.setnodelay = socket.setnodelay
M.readline = socket.readline
return M

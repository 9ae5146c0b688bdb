---@meta socket
---@class moonbase.Connection
local Conn = {}
---@param n? integer exactly n bytes
---@return string|nil data
---@return string? err
function Conn:read(n) end
---@return string|nil line
---@return string? err
function Conn:readline() end
---@param data string
---@return true|nil ok
---@return string? err
function Conn:write(data) end
---@return true
function Conn:close() end

---@class moonbase.Listener
local Listener = {}

---@class moonbase.ListenOptions
---@field reuseport? boolean
---@field backlog? integer

---@class moonbase.socket
local socket = {}
---@param kind 'tcp'|'unix'
---@param host string host or Unix path
---@param port? integer|moonbase.ListenOptions
---@param opts? moonbase.ListenOptions
---@return moonbase.Listener|nil
---@return string? err
function socket.listen(kind, host, port, opts) end
---@param listener moonbase.Listener
---@return moonbase.Connection|nil
---@return string? err
function socket.accept(listener) end
---@param host string
---@param port integer|string
---@return moonbase.Connection|nil
---@return string? err
function socket.connect(host, port) end
---@param host string
---@return string[]|nil addresses
---@return string? err
function socket.resolve(host) end
---@param conn moonbase.Connection
---@param n? integer
---@return string|nil
---@return string? err
function socket.read(conn, n) end
---@param conn moonbase.Connection
---@return string|nil
---@return string? err
function socket.readline(conn) end
---@param conn moonbase.Connection
---@param data string
---@return true|nil
---@return string? err
function socket.write(conn, data) end
---@param h moonbase.Connection|moonbase.Listener
---@return true
function socket.close(h) end
---@return string host
---@return integer port
function socket.getpeername(conn) end
---@return string host
---@return integer port
function socket.getsockname(h) end
---@param conn moonbase.Connection
---@param on boolean
function socket.setnodelay(conn, on) end
---@param conn moonbase.Connection
---@param bytes integer
function socket.setreadlimit(conn, bytes) end
---Listens and runs handler(conn) in a new fiber per connection.
---@param host string
---@param port integer|string
---@param handler fun(conn: moonbase.Connection)
---@param opts? moonbase.ListenOptions
---@return moonbase.Listener|nil
---@return string? err
function socket.serve(host, port, handler, opts) end
return socket

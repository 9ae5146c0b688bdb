---@meta lunet
---@class moonbase.lunet
---@field socket moonbase.socket
---@field udp moonbase.udp
---@field fs moonbase.fs
---@field mysql moonbase.mysql
local lunet = {}
---Lunet's spawn: runs fn at once up to its first suspension; detached.
---@param fn function
function lunet.spawn(fn, ...) end
---@param ms number milliseconds
function lunet.sleep(ms) end

---@class lunet.socket
lunet.socket = {}
---Lunet's read buffer size: the connection's read ceiling (bytes). Returns nil or the error.
---@param conn any
---@param bytes integer
---@return string|nil err
function lunet.socket.set_read_buffer_size(conn, bytes) end

return lunet

---@meta udp
---@class moonbase.UDPSocket
---@class moonbase.udp
local udp = {}
---@return moonbase.UDPSocket|nil
---@return string? err
function udp.bind(host, port) end
---@return true|nil
---@return string? err
function udp.send(sock, host, port, data) end
---@return string|nil data
---@return string? host_or_err
---@return integer? port
function udp.recv(sock) end
function udp.close(sock) end
---@return string host
---@return integer port
function udp.getsockname(sock) end
return udp

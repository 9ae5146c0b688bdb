---@meta channel
local channel = {}
---@param capacity? integer default 0 (rendezvous)
---@return moonbase.Channel
function channel.new(capacity) end
return channel

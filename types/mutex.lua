---@meta mutex
local mutex = {}
---@return moonbase.Mutex
function mutex.new() end
return mutex

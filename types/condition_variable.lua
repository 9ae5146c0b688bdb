---@meta condition_variable
local condition_variable = {}
---@return moonbase.ConditionVariable
function condition_variable.new() end
return condition_variable

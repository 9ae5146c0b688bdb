---@meta signal
---@alias moonbase.SignalName 'TERM'|'INT'|'HUP'|'USR1'|'USR2'
---@class moonbase.signal
local signal = {}
---Suspends until one of the named signals arrives; returns its name.
---@param ... moonbase.SignalName
---@return moonbase.SignalName
function signal.wait(...) end
---@param name moonbase.SignalName
function signal.ignore(name) end
---@param name moonbase.SignalName
function signal.reset(name) end
return signal

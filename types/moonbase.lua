---@meta moonbase
---@class moonbase.moonbase
---@field version string
local moonbase = {}
---@return integer count the number of worker threads
function moonbase.workers() end
---@return integer index the 1-based worker running the calling VM
function moonbase.worker() end
return moonbase

---@meta
-- require 'mutex', 'condition_variable', 'channel', 'inbox'.

---@class moonbase.Mutex
local Mutex = {}
function Mutex:lock() end
---@return boolean
function Mutex:try_lock() end
function Mutex:unlock() end

---@class moonbase.ConditionVariable
local CV = {}
---@param mutex moonbase.Mutex
function CV:wait(mutex) end
function CV:notify_one() end
function CV:notify_all() end

---@class moonbase.Channel
local Channel = {}
---@param v any
---@return true|nil ok
---@return string? err "closed"
function Channel:send(v) end
---@return any|nil v
---@return string? err "closed"
function Channel:receive() end
function Channel:close() end

---@class moonbase.Inbox
local Inbox = {}
---Suspends the fiber until a message arrives.
---@return any
function Inbox:receive() end
function Inbox:close() end

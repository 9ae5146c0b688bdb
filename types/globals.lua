---@meta
-- Globals every Moonbase VM defines (docs/API.md "Fibers", "Actors").

---@class moonbase.Fiber
local Fiber = {}
---Waits for the fiber and returns its results; re-raises its error.
---@return any ...
function Fiber:join() end
---Nobody will join: an error in the fiber is reported on stderr.
function Fiber:detach() end
---Cancels the fiber's pending (or next) suspending call with "interrupted".
function Fiber:interrupt() end
---After join: whether the fiber ended by an uncaught interruption.
---@type boolean
Fiber.interruption_caught = false

---Starts `fn(...)` in a new fiber (it first runs when the caller suspends).
---@param fn function
---@param ... any
---@return moonbase.Fiber
function spawn(fn, ...) end

---@class moonbase.Address
local Address = {}
---Copies `msg` into the actor's inbox (waits while it is full).
---@param msg any
---@return true|nil ok
---@return string? err "dead" or "closed"
function Address:send(msg) end
---The caller gets {event='down', from=address, reason=...} when the actor ends.
function Address:monitor() end

---@class moonbase.SpawnOptions
---@field thread? integer worker 1..--threads
---@field inherit_context? boolean keep it on the caller's worker
---@field inbox_capacity? integer
---@field monitor? boolean

---Starts a new isolated VM running `module` ('.' is the main script).
---@param module string
---@param opts? moonbase.SpawnOptions
---@return moonbase.Address
function spawn_vm(module, opts) end

---@class moonbase.ThisFiber
---@field id number unique within the VM
---@field local_ table a table private to the running fiber (the same inside its user coroutines)
this_fiber = {}
---Lets every other ready fiber run once.
function this_fiber.yield() end
function this_fiber.disable_interruption() end
function this_fiber.restore_interruption() end
---Until the matching allow_suspend, every suspension point raises `Operation not permitted` (nestable).
function this_fiber.forbid_suspend() end
---Ends one forbid_suspend; raises when none is active.
function this_fiber.allow_suspend() end

---'main' in the main actor, 'worker' in actors made by spawn_vm.
---@type string
_CONTEXT = 'main'

---@meta time
-- require 'time' (docs/API.md "Fibers", "Timers").

---@class moonbase.Timer
local Timer = {}
---Stops the timer: a callback already running finishes and is not called again.
function Timer:cancel() end

---@class moonbase.time
local time = {}
---Suspends the calling fiber for `seconds` (millisecond resolution).
---@param seconds number
function time.sleep(seconds) end
---Seconds from an arbitrary start, never going back.
---@return number
function time.monotonic() end
---Seconds since the Unix epoch (wall clock).
---@return number
function time.now() end
---Calls `fn()` once, in a fiber of its own, `seconds` from now.
---@param seconds number
---@param fn fun()
---@return moonbase.Timer
function time.after(seconds, fn) end
---Calls `fn()` every `seconds` (fixed rate) until cancelled or `fn` raises.
---@param seconds number
---@param fn fun()
---@return moonbase.Timer
function time.every(seconds, fn) end
return time

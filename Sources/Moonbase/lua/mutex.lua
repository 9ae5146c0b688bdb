local raw, rt = ...
local suspend, wake, current, RAISE, may_suspend = rt.suspend, rt.wake, rt.current, rt.RAISE, rt.may_suspend
local fiber_counts = rt.fiber_counts  -- [2]: fibers inside forbid_suspend (Swift is asked only then)
local Mutex = {}
Mutex.__index = Mutex

function Mutex:lock()
  if getmetatable(self) ~= Mutex then error("mutex:lock: bad self (mutex expected)", 2) end
  if not self.locked then
    -- a suspension point even when free (forbid_suspend)
    if fiber_counts[2] ~= 0 then may_suspend('mutex:lock') end
    self.locked = true
    return
  end
  local waiter = { fiber = current('mutex:lock') }
  local q = self.waiters
  q.last = q.last + 1
  q[q.last] = waiter
  local a, b = suspend(1)  -- 1: a mutex wait (deadlock reports)
  if a == RAISE then waiter.cancelled = true; error(b, 0) end
  -- woken by unlock: the lock was handed over to us
end

function Mutex:try_lock()
  if getmetatable(self) ~= Mutex then error("mutex:try_lock: bad self (mutex expected)", 2) end
  if self.locked then return false end
  self.locked = true
  return true
end

function Mutex:unlock()
  if getmetatable(self) ~= Mutex then error("mutex:unlock: bad self (mutex expected)", 2) end
  if not self.locked then error("mutex:unlock: Operation not permitted (mutex is not locked)", 2) end
  local q = self.waiters
  while q.first <= q.last do
    local w = q[q.first]
    q[q.first] = nil
    q.first = q.first + 1
    if not w.cancelled and wake(w.fiber) then return end
  end
  self.locked = false
end

return {
  new = function()
    return setmetatable({ locked = false, waiters = { first = 1, last = 0 } }, Mutex)
  end,
}

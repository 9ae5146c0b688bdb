local raw, rt = ...
local suspend, wake, current, RAISE = rt.suspend, rt.wake, rt.current, rt.RAISE
local disable, restore = rt.disable_interruption, rt.restore_interruption
local CV = {}
CV.__index = CV

function CV:wait(mutex)
  if getmetatable(self) ~= CV then error("condition_variable:wait: bad self (condition_variable expected)", 2) end
  if type(mutex) ~= 'table' or type(mutex.unlock) ~= 'function' then
    error("condition_variable:wait: bad argument #1 'mutex' (mutex expected, got " .. type(mutex) .. ")", 2)
  end
  if mutex.locked == false then
    error("condition_variable:wait: Operation not permitted (the mutex is not locked)", 2)
  end
  local waiter = { fiber = current('condition_variable:wait') }
  local q = self.waiters
  q.last = q.last + 1
  q[q.last] = waiter
  mutex:unlock()
  local a, b = suspend(2)  -- 2: a condition variable wait (deadlock reports)
  if a == RAISE then waiter.cancelled = true end
  disable()
  mutex:lock()
  restore()
  if a == RAISE then error(b, 0) end
end

local function notify(self, all)
  local q = self.waiters
  while q.first <= q.last do
    local w = q[q.first]
    q[q.first] = nil
    q.first = q.first + 1
    if not w.cancelled and wake(w.fiber) and not all then return end
  end
end
function CV:notify_one()
  if getmetatable(self) ~= CV then error("condition_variable:notify_one: bad self", 2) end
  notify(self, false)
end
function CV:notify_all()
  if getmetatable(self) ~= CV then error("condition_variable:notify_all: bad self", 2) end
  notify(self, true)
end

return {
  new = function() return setmetatable({ waiters = { first = 1, last = 0 } }, CV) end,
}

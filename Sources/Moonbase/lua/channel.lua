local raw, rt = ...
local suspend, wake, current, RAISE = rt.suspend, rt.wake, rt.current, rt.RAISE
local Channel = {}
Channel.__index = Channel

local function push(q, v) q.last = q.last + 1; q[q.last] = v end
-- Pops the first waiter still waiting (interrupted ones are skipped).
local function pop_waiter(q)
  while q.first <= q.last do
    local w = q[q.first]
    q[q.first] = nil
    q.first = q.first + 1
    if not w.cancelled then return w end
  end
end
local function check(self, name)
  if getmetatable(self) ~= Channel then error("channel:" .. name .. ": bad self (channel expected)", 3) end
end

function Channel:send(value)
  check(self, 'send')
  if self.closed then return nil, 'closed' end
  local r = pop_waiter(self.receivers)
  while r do
    if wake(r.fiber, true, value) then return true end
    r = pop_waiter(self.receivers)
  end
  local buf = self.buffer
  if buf.last - buf.first + 1 < self.capacity then
    push(buf, { value })
    return true
  end
  local waiter = { fiber = current('channel:send'), value = value }
  push(self.senders, waiter)
  local a, b = suspend(3)  -- 3: a channel wait (deadlock reports)
  if a == RAISE then waiter.cancelled = true; error(b, 0) end
  if a then return true end
  return nil, 'closed'
end

function Channel:receive()
  check(self, 'receive')
  local buf = self.buffer
  if buf.first <= buf.last then
    local slot = buf[buf.first]
    buf[buf.first] = nil
    buf.first = buf.first + 1
    -- room freed: move one waiting sender's value into the buffer
    local s = pop_waiter(self.senders)
    while s do
      if wake(s.fiber, true) then push(buf, { s.value }); break end
      s = pop_waiter(self.senders)
    end
    return slot[1]
  end
  local s = pop_waiter(self.senders)
  while s do
    if wake(s.fiber, true) then return s.value end
    s = pop_waiter(self.senders)
  end
  if self.closed then return nil, 'closed' end
  local waiter = { fiber = current('channel:receive') }
  push(self.receivers, waiter)
  local a, b = suspend(3)  -- 3: a channel wait (deadlock reports)
  if a == RAISE then waiter.cancelled = true; error(b, 0) end
  if a then return b end
  return nil, 'closed'
end

function Channel:close()
  check(self, 'close')
  if self.closed then return end
  self.closed = true
  local w = pop_waiter(self.receivers)
  while w do wake(w.fiber, false); w = pop_waiter(self.receivers) end
  w = pop_waiter(self.senders)
  while w do wake(w.fiber, false); w = pop_waiter(self.senders) end
end

return {
  new = function(capacity)
    if capacity ~= nil and (type(capacity) ~= 'number' or capacity < 0 or capacity % 1 ~= 0) then
      error("channel.new: bad argument #1 'capacity' (non-negative integer expected, got "
        .. tostring(capacity) .. ")", 2)
    end
    return setmetatable({
      capacity = capacity or 0,
      buffer = { first = 1, last = 0 },
      senders = { first = 1, last = 0 },
      receivers = { first = 1, last = 0 },
      closed = false,
    }, Channel)
  end,
}

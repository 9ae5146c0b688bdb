-- A one-for-one supervisor, built only on the public actor API.
--
--   local sup = spawn_vm('supervisor')
--   sup:send({
--     children = { { name = 'db', module = 'my_db_actor', restart = 'transient' } },
--     max_restarts = 3, within = 5,   -- give up after 3 restarts in 5 seconds
--     notify = inbox,                 -- gets {event='started'|'restarted'|'gave_up'|'stopped', name=, address=, reason=}
--   })
--   sup:send({ cmd = 'which', name = 'db', reply = inbox })  --> {name='db', address=...}
--   sup:send({ cmd = 'stop' })
--
-- restart: 'transient' (default) restarts a child that crashed; 'permanent'
-- also one that ended normally; 'temporary' never.
local inbox = require 'inbox'
local time = require 'time'

local config = inbox:receive()
local notify = config.notify
local max_restarts, within = config.max_restarts or 3, config.within or 5
local children = {}  -- name -> { spec, address, restarts = {times} }

local function tell(event)
  if notify then notify:send(event) end
end

local function start(child, event)
  child.address = spawn_vm(child.spec.module, { monitor = true })
  tell({ event = event, name = child.spec.name, address = child.address })
end

for _, spec in ipairs(config.children or {}) do
  local child = { spec = spec, restarts = {} }
  children[spec.name] = child
  start(child, 'started')
end

local function child_of(address)
  for _, child in pairs(children) do
    if child.address == address then return child end
  end
end

local function should_restart(child, reason)
  local policy = child.spec.restart or 'transient'
  if policy == 'temporary' then return false end
  return policy == 'permanent' or reason ~= 'normal'
end

while next(children) do
  local msg = inbox:receive()
  if type(msg) ~= 'table' then
    -- ignore what we do not understand
  elseif msg.event == 'down' then
    local child = child_of(msg.from)
    if child then
      local name = child.spec.name
      if should_restart(child, msg.reason) then
        local now = time.monotonic()
        local recent = {}
        for _, t in ipairs(child.restarts) do if now - t < within then recent[#recent + 1] = t end end
        if #recent >= max_restarts then
          children[name] = nil
          tell({ event = 'gave_up', name = name, reason = msg.reason })
        else
          recent[#recent + 1] = now
          child.restarts = recent
          start(child, 'restarted')
        end
      else
        children[name] = nil
        tell({ event = 'stopped', name = name, reason = msg.reason })
      end
    end
  elseif msg.cmd == 'which' and msg.reply then
    local child = children[msg.name]
    msg.reply:send({ name = msg.name, address = child and child.address })
  elseif msg.cmd == 'stop' then
    break
  end
end

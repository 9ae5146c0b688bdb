--! args: --threads 3
-- Actor placement, checked from inside each actor with moonbase.worker():
-- opts.thread picks the worker, inherit_context keeps the caller's, the default
-- spreads actors over every worker, and a thread out of range raises.
local moonbase = require 'moonbase'
local inbox = require 'inbox'

if _CONTEXT == 'worker' then
  local job = inbox:receive()
  if job.child_of then
    -- spawned with inherit_context from an actor placed on job.child_of
    local child = spawn_vm('.', { inherit_context = true })
    child:send({ reply = job.reply })
  end
  job.reply:send({ worker = moonbase.worker() })
  return
end

local function placed(opts)
  local a = spawn_vm('.', opts)
  a:send({ reply = inbox })
  return inbox:receive().worker
end

print('main on worker', moonbase.worker(), 'of', moonbase.workers())
for k = 1, 3 do print('thread = ' .. k .. ' runs on', placed({ thread = k })) end
print('inherit_context from main runs on', placed({ inherit_context = true }))

-- an actor on worker 3 spawning with inherit_context: the child stays on 3
local parent = spawn_vm('.', { thread = 3 })
parent:send({ reply = inbox, child_of = 3 })
local a, b = inbox:receive().worker, inbox:receive().worker
print('parent and its inheriting child run on', math.min(a, b), math.max(a, b))

-- the default spreads 6 actors over all 3 workers
local seen, distinct = {}, 0
for _ = 1, 6 do
  local w = placed(nil)
  if not seen[w] then seen[w] = true; distinct = distinct + 1 end
end
print('default placement uses workers:', distinct)

print(pcall(spawn_vm, '.', { thread = 4 }))
print(pcall(spawn_vm, '.', { thread = 0 }))

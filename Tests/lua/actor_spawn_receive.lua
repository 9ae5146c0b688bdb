--! args: --threads 2
-- An actor whose first act is inbox:receive() must not be judged unreachable
-- before its creator's address counts (a race between spawn_vm and the new
-- actor's first wait on another worker).
local inbox = require 'inbox'
if _CONTEXT == 'worker' then
  local request = inbox:receive()
  request.reply:send(request.n * 2)
  return
end
local actors = {}
for i = 1, 300 do actors[i] = spawn_vm('.', { thread = 1 + i % 2 }) end
for i = 1, 300 do assert(actors[i]:send({ n = i, reply = inbox })) end
local sum = 0
for _ = 1, 300 do sum = sum + inbox:receive() end
print('replies summed:', sum)

--! args: --threads 2
-- Emilua: a new actor placed on the spawner's worker (inherit_context, or the
-- spawner's own thread) starts before the spawner's next this_fiber.yield()
-- returns.
if _CONTEXT == 'worker' then print('  actor started'); return end
local moonbase = require 'moonbase'
spawn_vm('.', { inherit_context = true })
print('spawned with inherit_context')
this_fiber.yield()
print('after the yield')
spawn_vm('.', { thread = moonbase.worker() })
print('spawned on our own thread')
this_fiber.yield()
print('after the yield')

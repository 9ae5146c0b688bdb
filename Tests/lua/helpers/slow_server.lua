-- For ShutdownTests: an HTTP server on a Unix socket (arg[1]) whose /slow
-- takes 1.5 s, an actor waiting for messages, and a background fiber.
local http, time = require 'http', require 'time'
assert(http.serve('unix', arg[1], function(req)
  if req.path == '/slow' then time.sleep(1.5) end
  return 200, 'done ' .. req.path
end))
spawn(function() while true do time.sleep(0.2) end end):detach()
waiting = spawn_vm('waiting_actor')  -- a global: the address stays referenced
print('serving')

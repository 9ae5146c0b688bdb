-- signal.wait returns the first of its signals to arrive; unknown names and no
-- name raise bad argument; an ignored HUP is dropped; interruption withdraws a wait.
local signal = require 'signal'
local f = spawn(function() return signal.wait('USR1', 'HUP') end)
this_fiber.yield()
os.execute('kill -USR1 ' .. io.open('/proc/self/stat'):read('*l'):match('^%d+'))
print('got', f:join())
print(pcall(signal.wait, 'KILL'))
print(pcall(signal.wait))
signal.ignore('HUP')
os.execute('kill -HUP ' .. io.open('/proc/self/stat'):read('*l'):match('^%d+'))
require('time').sleep(0.1)
print('HUP ignored')
local g = spawn(function() return signal.wait('TERM') end)
this_fiber.yield()
g:interrupt()
print(pcall(g.join, g))

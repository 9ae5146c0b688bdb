-- lunet.signal: Lunet's signal module is the runtime's signal module
-- (wait(name, ...) returns the name of the signal that arrived).
local lunet = require 'lunet'
local signal = require 'lunet.signal'
print('same module:', signal == require('signal'), lunet.signal == signal)
local got
lunet.spawn(function() got = signal.wait('USR2') end)
os.execute('kill -USR2 ' .. io.open('/proc/self/stat'):read('*l'):match('^%d+'))
for _ = 1, 100 do if got then break end lunet.sleep(20) end
print('got', got)

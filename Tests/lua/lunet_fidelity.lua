-- Lunet programs run unchanged: spawn at once without suspending the caller
-- (also inside require), errors reported at once, Lunet's socket/fs results.
package.path = package.path .. ';' .. arg[0]:gsub('[^/]*$', '') .. 'helpers/?.lua'
local lunet = require('lunet')
local socket = require('lunet.socket')
local fs = require('lunet.fs')

local loaded = require('lunet_spawn_at_load')
print(table.concat(loaded.log, ' | '))
lunet.sleep(20)
print(table.concat(loaded.log, ' | '))

print('spawn returns:', select('#', lunet.spawn(function() end)))
lunet.spawn(function() error('lunet coroutine failed') end)
print('caller goes on after a failed spawn')

-- listen("unix", path, 0): Lunet's port argument is ignored
local path = os.tmpname(); os.remove(path)
local l = assert(socket.listen('unix', path, 0))
local c
lunet.spawn(function() c = assert(socket.connect(path)) end)
local s = assert(socket.accept(l))
lunet.sleep(5)
print('accept on a connection:', socket.accept(s))
socket.close(s)
print('read after local close:', socket.read(s))
print('write after local close:', socket.write(s, 'x'))
print('peer sees end of stream:', socket.read(c))
socket.close(c)
socket.close(l)
print('accept on a closed listener:', socket.accept(l))
os.remove(path)

-- fs.write returns the byte count
local file = os.tmpname()
local f = assert(fs.open(file, 'w'))
print('fs.write:', fs.write(f, 'hello'))
print('fs.close:', fs.close(f))
os.remove(file)

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

-- set_read_buffer_size: nil on success; a bad size raises naming it
local l2 = assert(socket.listen('unix', path, 0))
local c2
lunet.spawn(function() c2 = assert(socket.connect(path)) end)
local s2 = assert(socket.accept(l2))
lunet.sleep(5)
print('set_read_buffer_size:', socket.set_read_buffer_size(s2, 4096))
print('bad size:', (select(2, pcall(socket.set_read_buffer_size, s2, 0)):gsub('^.-:%d+: ', '')))
lunet.spawn(function() socket.write(c2, 'ping') end)
print('read:', socket.read(s2))
socket.close(s2)
print('after close:', socket.set_read_buffer_size(s2, 4096))
socket.close(c2); socket.close(l2); os.remove(path)

-- scandir entries carry Lunet's name and type; stat its size, mtime, mode, type
local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))
local f2 = assert(fs.open(dir .. '/a.txt', 'w')); fs.write(f2, 'abc'); fs.close(f2)
local entries = assert(fs.scandir(dir))
print('scandir:', #entries, entries[1].name, entries[1].type)
local st = assert(fs.stat(dir .. '/a.txt'))
print('stat:', st.size, st.type, type(st.mtime), type(st.mode))
os.remove(dir .. '/a.txt'); fs.rmdir(dir)

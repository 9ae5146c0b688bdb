-- udp: bind, send, recv, close, errors
local udp = require 'udp'
local sleep = require('time').sleep

local a = assert(udp.bind('127.0.0.1', 0))
local b = assert(udp.bind('127.0.0.1', 0))
local _, pa = udp.getsockname(a)
local _, pb = b:getsockname()
print('ports', pa > 0, pb > 0)
-- queued before anyone waits
print('send', udp.send(a, '127.0.0.1', pb, 'one'))
print('send', a:send('127.0.0.1', pb, ''))
sleep(0.01)
local d, host, port = udp.recv(b)
print('recv', d, host, port == pa)
print('recv empty', #b:recv())
-- a fiber waiting in recv is woken
local f = spawn(function() return b:recv() end)
sleep(0.01)
a:send('127.0.0.1', pb, string.rep('z', 1000))
local got, h2 = f:join()
print('woken with', #got, h2)
-- IPv6
local c6 = assert(udp.bind('::1', 0))
local _, p6 = c6:getsockname()
a:close()
local a6 = assert(udp.bind('::1', 0))
a6:send('::1', p6, 'six')
local d6, h6 = c6:recv()
print('ipv6', d6, h6)
-- interrupt and close wake waiting fibers
f = spawn(function() return b:recv() end)
sleep(0.01)
f:interrupt()
print('interrupted', pcall(f.join, f))
f = spawn(function() return b:recv() end)
sleep(0.01)
b:close()
print('closed while waiting', f:join())
print('recv after close', udp.recv(b))
print('send after close', udp.send(b, '127.0.0.1', 1, 'x'))
print('close twice', udp.close(b))
-- errors
local x = assert(udp.bind('127.0.0.1', 0))
local _, px = x:getsockname()
print('in use', udp.bind('127.0.0.1', px))
local function lookup_failed(r, err) return r == nil and (err == 'EAI_NONAME' or err == 'EAI_AGAIN') end
print('bind to an unknown name fails', lookup_failed(udp.bind('no-such-host.invalid', 1)))
print(pcall(udp.bind, 1))
print(pcall(udp.bind, '127.0.0.1', 'p'))
print(pcall(udp.send, 'h', '127.0.0.1', 1, 'x'))
print(pcall(udp.send, x, '127.0.0.1', 1, {}))
print(pcall(udp.recv, nil))
x:close(); a6:close(); c6:close()
-- lunet.udp is reachable too
print('lunet.udp', require('lunet.udp') == udp)

-- Fibers that can never be resumed (all wait on each other) are a deadlock:
-- reported with what each waits on, and the program exits 1.
local channel = require('channel')
local mutex = require('mutex')
local condition_variable = require('condition_variable')
local ch = channel.new()
local m, cv = mutex.new(), condition_variable.new()
spawn(function() ch:receive(); print('never') end)
m:lock()
local locker = spawn(function() m:lock(); print('never') end)
spawn(function() locker:join(); print('never') end)
local m2 = mutex.new()
spawn(function() m2:lock(); cv:wait(m2); print('never') end)
print('main done')

-- fibers that can never be resumed (all wait on each other) end with their VM
local channel = require('channel')
local ch = channel.new()
spawn(function() ch:receive(); print('never') end)
print('main done')

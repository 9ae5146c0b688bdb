-- a detached fiber's error is reported with its traceback and does not stop the VM
local sleep = require('time').sleep
local f = spawn(function() sleep(0.001); error('detached failure') end)
f:detach()
sleep(0.01)
print('VM still running')

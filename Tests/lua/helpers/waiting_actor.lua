-- For ShutdownTests: waits for a message that never comes; shutdown interrupts it.
local inbox = require 'inbox'
local ok, err = pcall(function() return inbox:receive() end)
print('actor sees: ' .. tostring(err))

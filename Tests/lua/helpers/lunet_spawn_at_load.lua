-- A module that starts a Lunet coroutine while it is being required.
local lunet = require('lunet')
local M = { log = {} }
lunet.spawn(function()
  M.log[#M.log + 1] = 'spawned at load'
  lunet.sleep(5)
  M.log[#M.log + 1] = 'woke after load'
end)
M.log[#M.log + 1] = 'module body goes on'
return M

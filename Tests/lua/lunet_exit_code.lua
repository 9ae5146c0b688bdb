-- Lunet: a number left in _G.__lunet_exit_code when the program ends is the
-- exit status (here set by a coroutine after the main chunk returned).
local lunet = require 'lunet'
lunet.spawn(function()
  lunet.sleep(5)
  _G.__lunet_exit_code = 3
  print('exit code set')
end)
print('main chunk done')

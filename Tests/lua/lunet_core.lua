-- Lunet's core: spawn runs at once up to the first suspension; sleep in ms
local lunet = require('lunet')
local order = {}
lunet.spawn(function()
  order[#order + 1] = 'child starts'
  lunet.sleep(10)
  order[#order + 1] = 'child after sleep'
end)
order[#order + 1] = 'parent continues'
lunet.sleep(30)
print(table.concat(order, ' | '))
print(pcall(lunet.sleep, 'soon'))
print(pcall(lunet.spawn, nil))

-- actors/supervisor.lua restarts crashed children (one-for-one) within limits
local inbox = require 'inbox'
local sup = spawn_vm('supervisor')
sup:send({
  children = {
    { name = 'flaky', module = 'helpers.flaky_child' },
    { name = 'calm', module = 'helpers.flaky_child', restart = 'transient' },
  },
  max_restarts = 2, within = 10, notify = inbox,
})
local addresses = {}
for _ = 1, 2 do
  local e = inbox:receive()
  print(e.event, e.name)
  addresses[e.name] = e.address
end

local function ping(address)
  address:send({ cmd = 'ping', reply = inbox })
  return inbox:receive()
end
print('flaky answers:', ping(addresses.flaky))

-- crash it twice: restarted each time, with a new address
for i = 1, 2 do
  addresses.flaky:send({ cmd = 'crash' })
  local e = inbox:receive()
  print(e.event, e.name, e.address ~= addresses.flaky)
  addresses.flaky = e.address
  print('after restart', i, ping(addresses.flaky))
end
sup:send({ cmd = 'which', name = 'flaky', reply = inbox })
print('which:', inbox:receive().address == addresses.flaky)

-- a third crash within the period exceeds the limit
addresses.flaky:send({ cmd = 'crash' })
local e = inbox:receive()
print(e.event, e.name, e.reason:match('child told to crash') ~= nil)

-- a child that ends normally is not restarted (transient)
addresses.calm:send({ cmd = 'quit' })
e = inbox:receive()
print(e.event, e.name, e.reason)

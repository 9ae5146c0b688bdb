-- udp: datagrams arriving while no fiber waits are queued, up to 1024; later
-- ones are dropped (the first 1024 are kept, in order), and the queue takes
-- new datagrams again once drained.
local udp = require 'udp'
local sleep = require('time').sleep

local a = assert(udp.bind('127.0.0.1', 0))
local b = assert(udp.bind('127.0.0.1', 0))
local _, pb = b:getsockname()

-- the first recv starts receiving
assert(a:send('127.0.0.1', pb, 'start'))
print('first:', (b:recv()))

-- 1100 datagrams in batches of 20, the loop polling between batches: it reads
-- at least 32 per poll, so the kernel's buffer never fills and drops nothing;
-- only the queue's limit can
local TOTAL = 1100
for i = 1, TOTAL do
  assert(a:send('127.0.0.1', pb, tostring(i)))
  if i % 20 == 0 then sleep(0.001) end
end
sleep(0.05)  -- the loop reads the last batch

local in_order = 0
for i = 1, 1024 do
  if b:recv() == tostring(i) then in_order = in_order + 1 end
end
print('queued and received in order:', in_order)
-- had more than 1024 been kept, the next datagram would be number 1025
assert(a:send('127.0.0.1', pb, 'after the drain'))
print('next:', (b:recv()))
a:close(); b:close()

-- For OutOfMemoryTests (run under ulimit -v): spawns actors until spawn_vm
-- raises "not enough memory", then lets them all end and exits 0.
local actors, err = {}, nil
while true do
  local ok, a = pcall(spawn_vm, 'receive_once')
  if not ok then err = a break end
  actors[#actors + 1] = a
  if #actors % 200 == 0 then this_fiber.yield() end
end
print('spawned more than 100:', #actors > 100)
print('error:', (tostring(err):gsub('^[^:]*:%d+: ', '')))
for _, a in ipairs(actors) do a:send('stop') end
actors = nil
print('still alive')

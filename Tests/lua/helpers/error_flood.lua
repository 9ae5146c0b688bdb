-- For OutputTests: 5000 failing fibers (each report goes to stderr), then
-- one line on stdout; a stderr nobody reads must not stop the loop.
for i = 1, 5000 do
  spawn(function() error(('report %d '):format(i) .. string.rep('y', 200), 0) end):detach()
  if i % 100 == 0 then this_fiber.yield() end
end
print('flood done')

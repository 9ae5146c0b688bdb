-- ready fibers are resumed in FIFO order, so yielding fibers interleave
local trace = {}
local fs = {}
for i = 1, 3 do
  fs[i] = spawn(function()
    for step = 1, 3 do trace[#trace + 1] = i .. '.' .. step; this_fiber.yield() end
  end)
end
for _, f in ipairs(fs) do f:join() end
print(table.concat(trace, ' '))

-- fs: the VM ends (its main fiber fails) while fibers wait on file requests and
-- files are open: the waits are cancelled, late completions are dropped, the
-- files are closed, and the process exits with the error (no crash, no hang)
local fs = require 'fs'
local D = os.tmpname(); os.remove(D)
assert(fs.mkdir(D))
assert(fs.writefile(D .. '/data', string.rep('z', 262144)))
for i = 1, 8 do
  spawn(function()
    local f = assert(fs.open(D .. '/data', 'r'))
    while true do
      if f:read(65536) == '' then f:seek('set', 0) end
    end
  end)
end
spawn(function() while true do fs.stat(D) end end)
local keep = assert(fs.open(D .. '/data'))
for _ = 1, 20 do this_fiber.yield() end
os.execute('rm -rf ' .. D)  -- open fds stay valid
print('ending')
error('main fails on purpose')

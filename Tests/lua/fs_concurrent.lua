-- fs: many fibers reading different files at once; a multi-MiB file written
-- and read back in 64 KiB chunks, compared by checksum
local fs = require 'fs'
local D = os.tmpname(); os.remove(D)
assert(fs.mkdir(D))

local function checksum(s, acc)  -- a cheap order-sensitive checksum (Adler-like)
  local a, b = acc and acc[1] or 1, acc and acc[2] or 0
  for i = 1, #s, 7 do
    a = (a + s:byte(i)) % 65521
    b = (b + a) % 65521
  end
  return { a, b }
end

-- 1. 40 files, each with its own content, read by 40 fibers at once
local N = 40
for i = 1, N do
  assert(fs.writefile(D .. '/file' .. i, string.rep(string.char(64 + i % 26), 1000 + i * 37) .. i))
end
local fibers = {}
for i = 1, N do
  fibers[i] = spawn(function()
    local f = assert(fs.open(D .. '/file' .. i, 'r'))
    local parts = {}
    while true do
      local chunk = assert(f:read(100))
      if chunk == '' then break end
      parts[#parts + 1] = chunk
    end
    assert(f:close())
    return table.concat(parts)
  end)
end
local good = 0
for i = 1, N do
  local data = fibers[i]:join()
  if data == string.rep(string.char(64 + i % 26), 1000 + i * 37) .. i then good = good + 1 end
end
print('concurrent readers correct:', good, 'of', N)

-- 2. a 24 MiB file written in 64 KiB chunks, read back in 64 KiB chunks
local CHUNK, COUNT = 65536, 384
local w = assert(fs.open(D .. '/big', 'wb'))
local wsum
for i = 1, COUNT do
  local block = string.rep(string.format('%08d', i), CHUNK / 8)
  assert(w:write(block))
  wsum = checksum(block, wsum)
end
assert(w:close())
print('big size:', fs.stat(D .. '/big').size == CHUNK * COUNT)
local r = assert(fs.open(D .. '/big', 'rb'))
local rsum, total, reads = nil, 0, 0
while true do
  local chunk = assert(r:read(CHUNK))
  if chunk == '' then break end
  total = total + #chunk
  reads = reads + 1
  rsum = checksum(chunk, rsum)
end
r:close()
print('big read:', total == CHUNK * COUNT, reads, rsum[1] == wsum[1] and rsum[2] == wsum[2])

-- 3. readers of the big file and writers of other files, all at once
local jobs = {}
for k = 1, 4 do
  jobs[#jobs + 1] = spawn(function()
    local f = assert(fs.open(D .. '/big', 'rb'))
    f:seek('set', (k - 1) * CHUNK * 10)
    local s = assert(f:read(CHUNK))
    f:close()
    return s == string.rep(string.format('%08d', (k - 1) * 10 + 1), CHUNK / 8)
  end)
  jobs[#jobs + 1] = spawn(function()
    local data = string.rep('w' .. k, 50000)
    assert(fs.writefile(D .. '/out' .. k, data, { atomic = true }))
    return fs.readfile(D .. '/out' .. k) == data
  end)
end
local ok = 0
for _, j in ipairs(jobs) do if j:join() then ok = ok + 1 end end
print('mixed jobs correct:', ok, 'of', #jobs)

-- 4. two fibers sharing one file handle: close while the other reads
local shared = assert(fs.open(D .. '/big', 'rb'))
local reader = spawn(function() return #assert(shared:read(CHUNK)) end)
this_fiber.yield()  -- the reader's request is in flight now
print('close while in use:', shared:close(), shared:read(1))
print('reader still got:', reader:join())

-- 5. a fiber reading a cached file (reads that need not suspend) still lets
-- other fibers run while it reads
local ticks = 0
local ticker = spawn(function()
  while true do ticks = ticks + 1; this_fiber.yield() end
end)
local big = assert(fs.open(D .. '/big', 'rb'))
local first = assert(big:read(CHUNK))  -- the file is cached now
local ticks_before = ticks
for _ = 1, 64 do assert(big:read(CHUNK)) end
big:close()
print('other fiber ran during cached reads:', #first == CHUNK and ticks > ticks_before)
ticker:interrupt()
pcall(ticker.join, ticker)

os.execute('rm -rf ' .. D)

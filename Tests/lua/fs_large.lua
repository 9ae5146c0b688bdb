-- fs: a large file written and read back in 64 KiB chunks without holding it
-- in memory: resident memory (from /proc/self/statm) stays far below the file
-- size. 64 MiB here; MOONBASE_FS_LARGE_MIB sets the size (Benchmarks/fs_read.sh
-- runs it at 1024 MiB). Also: readfile refuses a file over fs.READFILE_LIMIT.
local fs = require 'fs'
local MIB = tonumber(os.getenv('MOONBASE_FS_LARGE_MIB')) or 64
local CHUNK = 65536
local COUNT = MIB * 16
local BOUND = 32 * 1024  -- KiB: half the default file, a small part of 1 GiB
local D = os.tmpname(); os.remove(D)
assert(fs.mkdir(D))
local path = D .. '/large'

local function resident_kib()
  local f = assert(io.open('/proc/self/statm'))
  local pages = tonumber(f:read('*a'):match('^%d+ (%d+)'))
  f:close()
  return pages * 4
end

-- every chunk starts with its number, so order and completeness are checked
local filler = string.rep('.', CHUNK - 8)
local function block(i) return string.format('%08d', i) .. filler end

collectgarbage()
local base = resident_kib()
local growth = 0
local function sample()
  local g = resident_kib() - base
  if g > growth then growth = g end
end

local w = assert(fs.open(path, 'wb'))
for i = 1, COUNT do
  assert(w:write(block(i)))
  if i % 256 == 0 then sample() end
end
assert(w:close())
print('size right:', fs.stat(path).size == COUNT * CHUNK)

local r = assert(fs.open(path, 'rb'))
local chunks, bad = 0, 0
while true do
  local chunk = assert(r:read(CHUNK))
  if chunk == '' then break end
  chunks = chunks + 1
  if #chunk ~= CHUNK or chunk:sub(1, 8) ~= string.format('%08d', chunks) then bad = bad + 1 end
  if chunks % 256 == 0 then sample() end
end
assert(r:close())
print('chunks read back in order:', chunks == COUNT, 'bad:', bad)
print('resident growth bounded:', growth < BOUND)
io.stderr:write(string.format('largest resident growth: %d KiB\n', growth))

-- readfile refuses a file over the default limit (a sparse file: no disk used)
local sparse = D .. '/sparse'
local s = assert(fs.open(sparse, 'w'))
assert(s:seek('set', fs.READFILE_LIMIT))
assert(s:write('x'))
assert(s:close())
local data, err = fs.readfile(sparse)
print('readfile over the limit:', data, (err:gsub(D, '<d>')))

assert(fs.unlink(path)); assert(fs.unlink(sparse)); assert(fs.rmdir(D))

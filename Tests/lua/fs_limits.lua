-- fs limits at their exact boundaries: read's default size (65536) and its
-- ceiling of 64 MiB per call; readfile's opts.limit and its default,
-- fs.READFILE_LIMIT (64 MiB): a file of exactly the limit is read, one byte
-- more is refused with EFBIG naming the path.
local fs = require 'fs'
local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))
local MiB64 = 64 * 1024 * 1024
print('READFILE_LIMIT:', fs.READFILE_LIMIT == MiB64)

local path = dir .. '/data'
assert(fs.writefile(path, string.rep('d', 70000)))
local f = assert(fs.open(path))
print('read() default size:', #f:read(), #f:read(), ('%q'):format(f:read()))
f:close()
print('limit = size:', #assert(fs.readfile(path, { limit = 70000 })))
print('limit = size - 1:', (select(2, fs.readfile(path, { limit = 69999 })):gsub(dir, 'DIR')))

-- a file of exactly 64 MiB, then 64 MiB + 1
local w = assert(fs.open(path, 'w'))
local block = string.rep('x', 1024 * 1024)
for _ = 1, 64 do assert(w:write(block)) end
w:close()
local whole = fs.readfile(path)
print('64 MiB file, default limit:', whole and #whole)
whole = nil
local a = assert(fs.open(path, 'a')); assert(a:write('!')); a:close()
print('64 MiB + 1 file, default limit:', (select(2, fs.readfile(path)):gsub(dir, 'DIR')))
local r = assert(fs.open(path))
print('read(64 MiB + 1) returns at most 64 MiB:', #r:read(MiB64 + 1), r:read(MiB64 + 1), ('%q'):format(r:read(10)))
r:close()
collectgarbage()
os.execute('rm -rf ' .. dir)

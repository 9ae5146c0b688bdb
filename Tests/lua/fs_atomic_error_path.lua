-- Pending: an atomic writefile that fails at the rename must name `path` in its
-- error, as docs/API.md says ("errors name `path`"); today it names the
-- temporary file (EISDIR: DIR/.sub.tmp-1-1-794206293).
local fs = require 'fs'
local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))
assert(fs.mkdir(dir .. '/sub'))
local ok, err = fs.writefile(dir .. '/sub', 'data', { atomic = true })
print('atomic over a folder:', ok, (err:gsub(dir, 'DIR')))
print('temporary files left:', #assert(fs.scandir(dir)) - 1)
-- a failing fsync or write names `path` too; the open already does
ok, err = fs.writefile(dir .. '/missing/x', 'data', { atomic = true })
print('atomic into a missing folder:', ok, (err:gsub(dir, 'DIR')))
os.execute('rm -rf ' .. dir)

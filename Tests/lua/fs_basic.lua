-- fs: every function and its errors, on real files in a temporary folder
local fs = require 'fs'
local D = os.tmpname(); os.remove(D)
local function show(...)  -- prints results with the temp folder replaced by <d>
  local t = { ... }
  for i = 1, select('#', ...) do
    local v = t[i]
    if type(v) == 'string' then
      local a, b = v:find(D, 1, true)
      while a do v = v:sub(1, a - 1) .. '<d>' .. v:sub(b + 1); a, b = v:find(D, 1, true) end
    end
    t[i] = tostring(v)
  end
  print(table.concat(t, ' ', 1, select('#', ...)))
end

-- mkdir / rmdir
show('mkdir', fs.mkdir(D))
show('mkdir again', fs.mkdir(D))
show('mkdir recursive', fs.mkdir(D .. '/a/b/c', { recursive = true }))
show('mkdir recursive existing', fs.mkdir(D .. '/a/b', nil, { recursive = true }))
show('mkdir no parent', fs.mkdir(D .. '/x/y'))
show('mkdir mode', fs.mkdir(D .. '/m', 448), fs.stat(D .. '/m').mode == 448)
show('rmdir', fs.rmdir(D .. '/m'), fs.rmdir(D .. '/m'))
show('rmdir not empty', fs.rmdir(D .. '/a'))

-- open modes, write, read, seek, tell, close
local f = fs.open(D .. '/f.txt', 'w')
show('open w', tostring(f))
show('write', fs.write(f, 'hello '), f:write('world\n'), f:write(''))
show('tell', f:tell(), fs.tell(f))
show('read on write-only', f:read(4))
show('close', f:close())
show('close again', f:close(), fs.close(f))
show('read closed', f:read(1), f:write('x'), f:seek('set', 0), tostring(f))
f = fs.open(D .. '/f.txt', 'rb')
show('read', f:read(5), fs.read(f, 1), f:read(100), f:read(10) == '', f:read(0))
show('seek', f:seek('set', 6), f:read(5), f:seek('cur', -5), f:seek('end'), f:seek('end', -6), f:read())
show('seek before start', f:seek('set', -1))
show('write on read-only', f:write('x'))
show('fstat', f:stat().size, fs.fstat(f).type)
f:close()
f = fs.open(D .. '/f.txt', 'a')
f:write('more\n'); f:close()
f = fs.open(D .. '/f.txt', 'r+')
show('r+', f:read(5), f:seek('set', 0), f:write('HELLO'), f:seek('set', 0), f:read(100))
f:close()
f = fs.open(D .. '/f.txt', 'a+b')
show('a+', f:read(5), f:write('!'), f:seek('set', 0), f:read(100))
f:close()
f = fs.open(D .. '/f.txt', 'w+')
show('w+', f:read(5), f:write('new'), f:seek('set', 0), f:read(100))
show('fsync', f:fsync(), fs.fsync(f))
f:close()
show('open missing', fs.open(D .. '/missing', 'r'))
show('open r+ missing', fs.open(D .. '/missing', 'r+'))
show('open dir for writing', fs.open(D, 'w'))
show('default mode', fs.open(D .. '/f.txt'):read(3))
for _, m in ipairs({ 'x', '', 'rw', 'r++', 'rbb', 'wx' }) do
  show('bad mode', m, pcall(fs.open, D .. '/f.txt', m))
end

-- stat / lstat
local st = fs.stat(D .. '/f.txt')
show('stat', st.size, st.type, type(st.mtime), type(st.atime), type(st.ctime),
  math.abs(st.mtime - os.time()) < 60, type(st.mode))
show('stat dir', fs.stat(D).type)
show('stat missing', fs.stat(D .. '/missing'))
os.execute('ln -s f.txt ' .. D .. '/link')
show('lstat link', fs.lstat(D .. '/link').type, fs.stat(D .. '/link').type)
show('lstat missing', fs.lstat(D .. '/missing'))
show('stat char', fs.stat('/dev/null').type)

-- scandir
local entries = fs.scandir(D)
table.sort(entries, function(a, b) return a.name < b.name end)
for _, e in ipairs(entries) do show('entry', e.name, e.type) end
show('scandir empty', #fs.scandir(D .. '/a/b/c'))
show('scandir missing', fs.scandir(D .. '/missing'))
show('scandir file', fs.scandir(D .. '/f.txt'))

-- realpath
local R = fs.realpath(D)
show('realpath', R:sub(1, 1) == '/', fs.realpath(D .. '/a/b/../b/./c') == R .. '/a/b/c',
  fs.realpath(D .. '/link') == R .. '/f.txt', fs.realpath(D .. '//f.txt') == R .. '/f.txt')
show('realpath missing', fs.realpath(D .. '/missing'))
show('realpath through a file', fs.realpath(D .. '/f.txt/x'))

-- rename / unlink
show('rename', fs.rename(D .. '/f.txt', D .. '/g.txt'), fs.stat(D .. '/f.txt'), fs.stat(D .. '/g.txt').size)
show('rename missing', fs.rename(D .. '/f.txt', D .. '/h.txt'))
show('unlink', fs.unlink(D .. '/link'), fs.unlink(D .. '/link'))
show('unlink dir', fs.unlink(D .. '/a'))

-- readfile / writefile
show('writefile', fs.writefile(D .. '/w.txt', 'one\0two'), #fs.readfile(D .. '/w.txt'))
show('writefile atomic', fs.writefile(D .. '/w.txt', 'atomic', { atomic = true }), fs.readfile(D .. '/w.txt'))
show('writefile atomic no folder', fs.writefile(D .. '/nope/w.txt', 'x', { atomic = true }))
show('writefile no folder', fs.writefile(D .. '/nope/w.txt', 'x'))
show('readfile missing', fs.readfile(D .. '/missing'))
show('readfile dir', fs.readfile(D))
show('readfile limit', fs.readfile(D .. '/w.txt', { limit = 5 }), fs.readfile(D .. '/w.txt', { limit = 6 }))
show('readfile empty', fs.writefile(D .. '/e', ''), fs.readfile(D .. '/e') == '')
show('limit default', fs.READFILE_LIMIT)
local names = {}
for _, e in ipairs(fs.scandir(D)) do names[#names + 1] = e.name end
table.sort(names)
show('no temp files left', table.concat(names, ','))

-- wrong argument types raise
local function raises(name, f, ...)
  local ok, err = pcall(f, ...)
  show(name, ok, (tostring(err):gsub('^[^:]*:%d+: ', '')))
end
raises('open nil', fs.open, nil, 'r')
raises('open mode type', fs.open, 'x', 5)
raises('read not file', fs.read, 'x', 1)
raises('read n type', fs.read, fs.open(D .. '/g.txt'), 'x')
raises('read n negative', fs.read, fs.open(D .. '/g.txt'), -1)
raises('write nil', fs.write, fs.open(D .. '/g.txt'), nil)
raises('seek whence', fs.seek, fs.open(D .. '/g.txt'), 'bogus', 0)
raises('close nil', fs.close, nil)
raises('stat number', fs.stat, 42)
raises('lstat nil', fs.lstat)
raises('scandir nil', fs.scandir)
raises('mkdir nil', fs.mkdir)
raises('mkdir mode', fs.mkdir, 'x', 'y')
raises('rmdir nil', fs.rmdir)
raises('unlink nil', fs.unlink)
raises('rename to nil', fs.rename, 'a')
raises('readfile nil', fs.readfile)
raises('realpath nil', fs.realpath)
raises('fsync not file', fs.fsync, {})
raises('fstat not file', fs.fstat, 'x')
raises('tell not file', fs.tell, nil)
raises('writefile data nil', fs.writefile, 'x')

-- lunet.fs: same functions, close returns nil on success or an error string
local lfs = require('lunet').fs
local lf = lfs.open(D .. '/g.txt', 'r')
show('lunet.fs', lfs.read(lf, 3), lfs.close(lf), lfs.close(lf), lfs.scandir == fs.scandir)

os.execute('rm -rf ' .. D)
show('cleaned', fs.stat(D))

-- fs: new files get 0666 and folders 0755 less the umask; fds opened by fs are
-- close-on-exec (a child process does not inherit them); seek's defaults; an
-- atomic writefile that fails leaves no temporary file behind.
local fs = require 'fs'
local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))

-- the umask moonbase runs with, as a child inherits it
local umask = tonumber(io.popen('umask'):read('*l'), 8)
local function octal(n) return string.format('%o', n) end
local f = assert(fs.open(dir .. '/new', 'w'))
print('new file mode is 0666 less the umask:', octal(fs.stat(dir .. '/new').mode) == octal(bit.band(438, bit.bnot(umask))))
assert(fs.mkdir(dir .. '/sub'))
print('new folder mode is 0755 less the umask:', octal(fs.stat(dir .. '/sub').mode) == octal(bit.band(493, bit.bnot(umask))))
assert(fs.mkdir(dir .. '/sub700', 448))
print('explicit mode 0700:', octal(fs.stat(dir .. '/sub700').mode))

-- close-on-exec: this process holds the file open, a child does not
local pid = io.open('/proc/self/stat'):read('*l'):match('^%d+')
local function fds_on(path, proc)
  local n = 0
  local cmd = 'for fd in /proc/' .. proc .. '/fd/*; do readlink "$fd"; done 2>/dev/null'
  for target in io.popen(cmd):lines() do
    if target == path then n = n + 1 end
  end
  return n
end
local shell_fds = 0
for target in io.popen('for fd in /proc/self/fd/*; do readlink "$fd"; done 2>/dev/null'):lines() do
  if target == dir .. '/new' then shell_fds = shell_fds + 1 end
end
print('open in moonbase:', fds_on(dir .. '/new', pid), 'inherited by a child:', shell_fds)
f:close()

-- seek: whence defaults to "cur", offset to 0
assert(fs.writefile(dir .. '/ten', '0123456789'))
local s = assert(fs.open(dir .. '/ten'))
print('seek() at start:', s:seek())
s:read(3)
print('seek() after reading 3:', s:seek(), 'tell:', s:tell())
print('seek("cur", 2):', s:seek('cur', 2), s:read(1))
print('seek("set"):', s:seek('set'), 'seek("end"):', s:seek('end'), 'seek("end", -1):', s:seek('end', -1), s:read(5))
print('bad whence raises:', pcall(s.seek, s, 'middle'))
s:close()

-- atomic writefile failing at the rename (the target is a folder): the
-- temporary file is removed (the error's wording: pending/fs_atomic_error_path)
local ok, err = fs.writefile(dir .. '/sub', 'data', { atomic = true })
print('atomic over a folder:', ok, err:match('^EISDIR: ') ~= nil)
local leftovers = {}
for _, e in ipairs(assert(fs.scandir(dir))) do
  if e.name:find('tmp', 1, true) then leftovers[#leftovers + 1] = e.name end
end
print('temporary files left:', #leftovers == 0 and 'none' or table.concat(leftovers, ' '))
-- failing at the open (no such folder): nothing created, the path named
ok, err = fs.writefile(dir .. '/missing/x', 'data', { atomic = true })
print('atomic into a missing folder:', ok, (err:gsub(dir, 'DIR')))
os.execute('rm -rf ' .. dir)

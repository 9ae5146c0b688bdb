-- Every number fs passes to a C type is range-checked: out-of-range, NaN and
-- infinite values raise "bad argument" naming the function and the argument
-- (before: fs.mkdir(path, 2^31) trapped in Int32(...) and killed the process).
local fs = require 'fs'
local dir = os.tmpname(); os.remove(dir)
assert(fs.mkdir(dir))
local values = { { '-1', -1 }, { '2^31', 2^31 }, { '2^63', 2^63 }, { 'nan', 0/0 }, { 'inf', math.huge }, { '0.5', 0.5 } }
local function try(label, f, ...)
  local ok, err = pcall(f, ...)
  print(label, ok, (tostring(err):gsub('^[^:]*:%d+: ', '')))
end
for _, v in ipairs(values) do try('mkdir mode ' .. v[1], fs.mkdir, dir .. '/d', v[2]) end
print('mode 0o7777 accepted:', fs.mkdir(dir .. '/ok', 511))
local f = assert(fs.open(dir .. '/file', 'w+'))
assert(f:write('hello'))
for _, v in ipairs(values) do try('read n ' .. v[1], fs.read, f, v[2]) end
for _, v in ipairs(values) do try('seek offset ' .. v[1], fs.seek, f, 'set', v[2]) end
f:close()
os.execute('rm -rf ' .. dir)
print('still alive')

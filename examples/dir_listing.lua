-- Directory listing (Lunet's fs example): fs.scandir on a folder, printing the
-- name and type of each entry. To be deterministic it lists a temporary folder
-- made with known contents, sorted by name, then removes it.
local fs = require('lunet').fs

local dir = os.tmpname()
os.remove(dir)
assert(fs.mkdir(dir))
assert(fs.mkdir(dir .. '/logs'))
assert(fs.writefile(dir .. '/README.txt', 'hello\n'))
assert(fs.writefile(dir .. '/logs/app.log', 'started\n'))
assert(fs.writefile(dir .. '/config.json', '{}\n'))

local function list(path, indent)
  local entries, err = fs.scandir(path)
  if not entries then print('error: ' .. err); return end
  table.sort(entries, function(a, b) return a.name < b.name end)
  for _, entry in ipairs(entries) do
    local st = fs.stat(path .. '/' .. entry.name)
    local size = entry.type == 'file' and (st.size .. ' bytes') or ''
    print((string.format('%s%-12s %-10s %s', indent, entry.name, entry.type, size):gsub('%s+$', '')))
    if entry.type == 'directory' then list(path .. '/' .. entry.name, indent .. '  ') end
  end
end

list(dir, '')
local _, err = fs.scandir(dir .. '/missing')
print('missing folder:', (err:gsub('^(%u+):.*', '%1')))

-- clean up
assert(fs.unlink(dir .. '/logs/app.log'))
assert(fs.rmdir(dir .. '/logs'))
assert(fs.unlink(dir .. '/README.txt'))
assert(fs.unlink(dir .. '/config.json'))
assert(fs.rmdir(dir))

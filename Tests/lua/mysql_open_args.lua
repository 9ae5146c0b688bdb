-- mysql.open: every number that reaches a C type is range-checked and raises
-- naming the field (no crash); needs no server: the checks come before connecting.
local mysql = require('mysql')
local bad = { -1, 1e10, 0 / 0, math.huge, -math.huge, 2 ^ 31, 2 ^ 63, 1.5, 'x' }
local function show(v) return v ~= v and 'nan' or tostring(v) end
for _, field in ipairs({ 'port', 'connect_timeout', 'read_timeout', 'write_timeout' }) do
  for _, v in ipairs(bad) do
    local o = { host = '127.0.0.1', port = 1 }
    o[field] = v
    local ok, err = pcall(mysql.open, o)
    print(field, show(v), ok, (tostring(err):gsub('got %-?nan', 'got nan')))
  end
end
-- limits that are fine: port 0 (the default port) and 65535, a 1 ms timeout;
-- the connection is then refused (port 1), not an argument error
for _, o in ipairs({ { port = 65535 }, { port = 1, connect_timeout = 0.001 }, { port = 1, read_timeout = 1e9 } }) do
  o.host = '127.0.0.1'
  local ok, conn, err = pcall(mysql.open, o)
  print('accepted:', ok, conn, type(err))
end
-- string options: a wrong type names the field too
print(pcall(mysql.open, { host = 42 }))
print(pcall(mysql.open, { unix_socket = true }))

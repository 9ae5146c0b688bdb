-- require 'mysql': the Lua face of the MariaDB client (Modules/MySQL/):
-- argument checks, per-connection queueing, protocol choice (text without
-- parameters, prepared statement with them), result shape.
local raw, rt = ...
local mutex = require('mutex')
local suspending = rt.suspending
local r_open, r_query, r_execute = suspending(raw.open), suspending(raw.query), suspending(raw.execute)
local r_close, r_escape, r_settimeout = raw.close, raw.escape, raw.settimeout
local type, select, pcall, error, setmetatable, getmetatable = type, select, pcall, error, setmetatable, getmetatable
local tostring, floor = tostring, math.floor
local null = raw.null()
local M = { null = null }
local conn_mt = { __metatable = 'mysql connection' }
raw.set_metatable(conn_mt)  -- registered as the connections' metatable
conn_mt.__gc = raw.gc
conn_mt.__tostring = function() return 'mysql connection' end

-- One fiber at a time per connection: the others queue (FIFO) on its mutex.
local locks = setmetatable({}, { __mode = 'k' })
local function check(conn, sql, name)
  if type(conn) ~= 'userdata' or getmetatable(conn) ~= 'mysql connection' then
    error('mysql.' .. name .. ": bad argument #1 'conn' (mysql connection expected, got " .. type(conn) .. ')', 3)
  end
  if type(sql) ~= 'string' then
    error('mysql.' .. name .. ": bad argument #2 'sql' (string expected, got " .. type(sql) .. ')', 3)
  end
end
local function finish(m, ok, ...)
  m:unlock()
  if not ok then error((...), 0) end
  return ...
end
local function run(name, conn, sql, ...)
  local m = locks[conn]
  if not m then m = mutex.new(); locks[conn] = m end
  local n = select('#', ...)
  if n == 0 then
    m:lock()
    return finish(m, pcall(r_query, conn, sql))
  end
  local params = { ... }
  if n == 1 and type(params[1]) == 'table' then
    params = params[1]
    n = params.n or #params
    -- n reaches C (the count of bound buffers): the protocol allows 65535
    if type(n) ~= 'number' or n ~= floor(n) or n < 0 or n > 65535 then
      error(('mysql.%s: bad argument #3 \'params.n\' (integer from 0 to 65535 expected, got %s)')
        :format(name, type(n) == 'number' and tostring(n) or type(n)), 3)
    end
  end
  m:lock()
  return finish(m, pcall(r_execute, conn, sql, params, n))
end

function M.open(opts)
  if type(opts) ~= 'table' then
    error("mysql.open: bad argument #1 'options' (table expected, got " .. type(opts) .. ')', 2)
  end
  return r_open(opts)
end

function M.query(conn, sql, ...)
  check(conn, sql, 'query')
  local r, rows = run('query', conn, sql, ...)
  if r == nil then return nil, rows end
  if rows then return r end
  return {}
end

function M.exec(conn, sql, ...)
  check(conn, sql, 'exec')
  local r, rows = run('exec', conn, sql, ...)
  if r == nil then return nil, rows end
  if rows then return { affected_rows = #r, last_insert_id = 0 } end
  return r
end

function M.close(conn)
  if type(conn) ~= 'userdata' or getmetatable(conn) ~= 'mysql connection' then
    error("mysql.close: bad argument #1 'conn' (mysql connection expected, got " .. type(conn) .. ')', 2)
  end
  return r_close(conn)
end

-- The limit on each later query as a whole, in seconds (nil: none); past it
-- the query returns nil, "timeout" and the connection is closed.
function M.settimeout(conn, seconds)
  return r_settimeout(conn, seconds)
end

function M.escape(conn, s)
  check(conn, s, 'escape')
  return r_escape(conn, s)
end

conn_mt.__index = { query = M.query, exec = M.exec, close = M.close, escape = M.escape, settimeout = M.settimeout }
return M

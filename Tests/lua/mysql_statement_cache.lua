-- mysql: statements with parameters are prepared once per connection and reused
local mysql = require('mysql')
local H = require('helpers.mysql')
local conn = H.connect()

-- session counters, read with the text protocol (no statement of their own)
local function counter(name)
  return tonumber(conn:query("SHOW SESSION STATUS LIKE '" .. name .. "'")[1].Value)
end

local prepares, closes = counter('Com_stmt_prepare'), counter('Com_stmt_close')
local sum = 0
for i = 1, 10 do sum = sum + conn:query('SELECT ? * 2 AS n', i)[1].n end
print('ten executions:', sum, 'prepared:', counter('Com_stmt_prepare') - prepares, 'closed:', counter('Com_stmt_close') - closes)

-- a wrong parameter count is an error; the statement stays usable
print(conn:query('SELECT ? * 2 AS n', {}))
print(conn:query('SELECT ? * 2 AS n', 1, 2))
print('again:', conn:query('SELECT ? * 2 AS n', 21)[1].n)

-- an execution error (here: a duplicate key) drops that statement; the next call prepares it again
assert(conn:exec('DROP TABLE IF EXISTS stmt_cache'))
assert(conn:exec('CREATE TABLE stmt_cache (id INT PRIMARY KEY, v VARCHAR(10))'))
prepares = counter('Com_stmt_prepare')
print(conn:exec('INSERT INTO stmt_cache VALUES (?, ?)', 1, 'one').affected_rows)
print(conn:exec('INSERT INTO stmt_cache VALUES (?, ?)', 1, 'dup'))
print(conn:exec('INSERT INTO stmt_cache VALUES (?, ?)', 2, 'two').affected_rows)
print('prepared again after the error:', counter('Com_stmt_prepare') - prepares)

-- the table changes under a cached statement: the server prepares it again, rows show the new column
local select_one = 'SELECT * FROM stmt_cache WHERE id = ?'
local row = conn:query(select_one, 1)[1]
print(row.id, row.v, row.extra)
assert(conn:exec("ALTER TABLE stmt_cache ADD COLUMN extra VARCHAR(10) NOT NULL DEFAULT 'x'"))
row = conn:query(select_one, 1)[1]
print(row.id, row.v, row.extra)

-- more distinct texts than the cache holds (32): the least recently used are closed
closes = counter('Com_stmt_close')
local ok = true
for i = 1, 40 do
  local r = conn:query('SELECT ? + ' .. i .. ' AS n', 1)
  ok = ok and r[1].n == i + 1
end
print('40 texts:', ok, 'closed:', counter('Com_stmt_close') - closes)
-- the most recent ones are still cached
prepares = counter('Com_stmt_prepare')
for i = 31, 40 do conn:query('SELECT ? + ' .. i .. ' AS n', 1) end
print('recent ones reused, prepared:', counter('Com_stmt_prepare') - prepares)

assert(conn:exec('DROP TABLE stmt_cache'))
conn:close()

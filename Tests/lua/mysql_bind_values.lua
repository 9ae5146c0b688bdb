-- mysql: booleans bind as 1/0, FLOAT columns widen to the nearest double of the
-- stored single (not the decimal written), BIT and TIMESTAMP values, charset.
local mysql = require('mysql')
local H = require('helpers.mysql')
local db = H.connect({ charset = 'utf8mb4' })

local r = assert(db:query('SELECT ? AS t, ? AS f, ? IS NULL AS n', true, false, nil))[1]
print('true, false, nil bind as:', r.t, r.f, r.n)
print('false selects no row:', #assert(db:query('SELECT 1 AS x FROM DUAL WHERE ?', false)))

assert(db:exec('DROP TABLE IF EXISTS bind_values'))
assert(db:exec([[CREATE TABLE bind_values (id INT PRIMARY KEY, flag BOOLEAN, f FLOAT,
  b BIT(8), ts TIMESTAMP NULL, s VARCHAR(20)) CHARACTER SET utf8mb4]]))
assert(db:exec('SET time_zone = "+00:00"'))
assert(db:exec('INSERT INTO bind_values VALUES (?, ?, ?, b\'101\', ?, ?)', 1, false, 0.1, '2024-02-29 23:59:58', 'chloé ☃'))
-- with a parameter: a prepared statement (binary protocol)
local row = assert(db:query('SELECT flag, f, b, ts, s, LENGTH(s) AS bytes FROM bind_values WHERE id = ?', 1))[1]
local text = assert(db:query('SELECT f FROM bind_values'))[1]
print('flag stored from false:', row.flag)
print(('FLOAT 0.1 through a prepared statement: %.17g'):format(row.f), row.f ~= 0.1)
print(('FLOAT 0.1 as text: %.17g'):format(text.f))
print('BIT(8) b\'101\':', type(row.b), type(row.b) == 'string' and ('%q'):format(row.b) or row.b)
print('TIMESTAMP:', row.ts)
print('utf8mb4 text:', row.s, row.bytes)
assert(db:exec('DROP TABLE bind_values'))
db:close()

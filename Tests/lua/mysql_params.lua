-- mysql: ? parameters are bound, never pasted (injection attempts are stored
-- as plain data); table form; transactions through exec
local mysql = require('mysql')
local H = require('helpers.mysql')
local conn = H.connect()
assert(conn:exec('DROP TABLE IF EXISTS params_users'))
assert(conn:exec('CREATE TABLE params_users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200), note TEXT) ENGINE=InnoDB'))

local attacks = {
  "Robert'); DROP TABLE params_users; --",
  "' OR '1'='1",
  '" OR ""="',
  "\\'; DELETE FROM params_users; #",
  "?", "a ? b ?",
  "x\0y",
}
for _, a in ipairs(attacks) do
  assert(conn:exec('INSERT INTO params_users (name, note) VALUES (?, ?)', a, 'attack'))
end
local rows = conn:query('SELECT name FROM params_users ORDER BY id')
local same = #rows == #attacks
for i, a in ipairs(attacks) do same = same and rows[i].name == a end
print('stored as plain data:', #rows, same)
print('lookup by an attack string:', #conn:query('SELECT id FROM params_users WHERE name = ?', "' OR '1'='1"))
print('no match for a tautology:', #conn:query('SELECT id FROM params_users WHERE name = ?', "nobody' OR '1'='1"))

-- one table of parameters (holes as mysql.null or with n)
local r = conn:query('SELECT ? AS a, ? AS b, ? AS c', { 1, 'two', 3 })
print('table form:', r[1].a, r[1].b, r[1].c)
r = conn:query('SELECT ? AS a, ? IS NULL AS b, ? AS c', { n = 3, 'x', nil, 'z' })
print('table with n:', r[1].a, r[1].b, r[1].c)
r = conn:exec('UPDATE params_users SET note = ? WHERE id = ?', { 'edited', 1 })
print('exec table form:', r.affected_rows)
print('wrong count:', conn:query('SELECT ?', { 1, 2 }))

-- transactions
local function count() return conn:query('SELECT COUNT(*) AS n FROM params_users')[1].n end
local before = count()
assert(conn:exec('BEGIN'))
assert(conn:exec('INSERT INTO params_users (name) VALUES (?)', 'tx1'))
assert(conn:exec('INSERT INTO params_users (name) VALUES (?)', 'tx2'))
print('inside the transaction:', count() - before)
assert(conn:exec('ROLLBACK'))
print('after ROLLBACK:', count() - before)
assert(conn:exec('START TRANSACTION'))
assert(conn:exec('INSERT INTO params_users (name) VALUES (?)', 'tx3'))
assert(conn:exec('COMMIT'))
print('after COMMIT:', count() - before)
-- another connection sees only committed rows
local other = H.connect()
assert(conn:exec('BEGIN'))
assert(conn:exec('DELETE FROM params_users'))
print('other sees before commit:', other:query('SELECT COUNT(*) AS n FROM params_users')[1].n == before + 1)
assert(conn:exec('ROLLBACK'))
print('other sees after rollback:', other:query('SELECT COUNT(*) AS n FROM params_users')[1].n == before + 1)
other:close()
conn:close()

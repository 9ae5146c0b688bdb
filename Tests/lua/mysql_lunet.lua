-- lunet.mysql: Lunet's names and conventions (close returns nil, NULL is an absent key)
local H = require('helpers.mysql')
local db = require('lunet.mysql')
print('same module via lunet:', require('lunet').mysql == db)
local conn, err = db.open(H.opts)
print('open:', conn ~= nil, err)
assert(db.exec(conn, 'DROP TABLE IF EXISTS lunet_items'))
assert(db.exec(conn, 'CREATE TABLE lunet_items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), qty INT NULL)'))
local r = db.exec_params(conn, 'INSERT INTO lunet_items (name, qty) VALUES (?, ?), (?, ?)', 'apple', 3, 'pear', nil)
print('exec_params:', r.affected_rows, r.last_insert_id)
local rows = db.query(conn, 'SELECT name, qty FROM lunet_items ORDER BY id')
for _, row in ipairs(rows) do
  local keys = 0
  for _ in pairs(row) do keys = keys + 1 end
  print(' ', row.name, row.qty, 'keys:', keys)
end
rows = db.query_params(conn, 'SELECT name FROM lunet_items WHERE qty IS NULL AND name = ?', 'pear')
print('query_params:', #rows, rows[1].name)
print('error:', db.query(conn, 'SELECT * FROM nope'))
print('close:', db.close(conn))
print('after close:', db.query(conn, 'SELECT 1'))

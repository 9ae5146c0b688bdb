-- CRUD on MySQL/MariaDB, Lunet style: create, read, update, delete with `?`
-- parameters, and a transfer in a transaction that rolls back on failure.
-- Settings come from MOONBASE_MYSQL_* (scripts/with-mariadb sets them).
local db = require('lunet.mysql')

-- Only the server named by MOONBASE_MYSQL_* (scripts/with-mariadb's throwaway one):
-- this example drops and creates tables, so it never falls back to a default server.
local function setting(name)
  local value = os.getenv('MOONBASE_MYSQL_' .. name)
  if value == nil or value == '' then
    error(('%s: MOONBASE_MYSQL_%s is not set; run it under scripts/with-mariadb '
      .. '(it drops and creates tables, so it uses no default server)'):format(arg[0]:match('[^/]*$'), name), 0)
  end
  return value
end
local conn, err = db.open({
  host = setting('HOST'),
  port = tonumber(setting('PORT')),
  user = setting('USER'),
  password = setting('PASSWORD'),
  database = setting('DATABASE'),
})
if not conn then error('cannot connect: ' .. err, 0) end

local function must(result, e)
  if result == nil then error(e, 2) end
  return result
end

must(db.exec(conn, 'DROP TABLE IF EXISTS crud_accounts'))
must(db.exec(conn, [[CREATE TABLE crud_accounts (
  id INT AUTO_INCREMENT PRIMARY KEY, owner VARCHAR(50) NOT NULL,
  balance DECIMAL(10,2) NOT NULL, email VARCHAR(100) NULL) ENGINE=InnoDB]]))

-- Create
for _, a in ipairs({ { 'alice', '100.00', 'alice@example.com' }, { 'bob', '50.00' }, { "o'brien", '10.00' } }) do
  local r = must(db.exec_params(conn, 'INSERT INTO crud_accounts (owner, balance, email) VALUES (?, ?, ?)', a[1], a[2], a[3]))
  print(('created %s as #%d'):format(a[1], r.last_insert_id))
end

-- Read (SQL NULL is an absent key)
local function list()
  for _, row in ipairs(must(db.query(conn, 'SELECT id, owner, balance, email FROM crud_accounts ORDER BY id'))) do
    print(('  #%d %-8s %8s  %s'):format(row.id, row.owner, row.balance, row.email or '(no email)'))
  end
end
list()

-- Update
local r = must(db.exec_params(conn, 'UPDATE crud_accounts SET email = ? WHERE owner = ?', 'bob@example.com', 'bob'))
print('updated rows:', r.affected_rows)

-- A transfer: both updates or neither
local function transfer(from, to, amount)
  must(db.exec(conn, 'BEGIN'))
  local rows = must(db.query_params(conn, 'SELECT balance FROM crud_accounts WHERE owner = ? FOR UPDATE', from))
  if #rows == 0 or tonumber(rows[1].balance) < amount then
    must(db.exec(conn, 'ROLLBACK'))
    return false, 'insufficient funds'
  end
  must(db.exec_params(conn, 'UPDATE crud_accounts SET balance = balance - ? WHERE owner = ?', amount, from))
  must(db.exec_params(conn, 'UPDATE crud_accounts SET balance = balance + ? WHERE owner = ?', amount, to))
  must(db.exec(conn, 'COMMIT'))
  return true
end
print('alice -> bob 30:', transfer('alice', 'bob', 30))
print("o'brien -> alice 99:", transfer("o'brien", 'alice', 99))
list()

-- Delete
r = must(db.exec_params(conn, 'DELETE FROM crud_accounts WHERE owner = ?', "o'brien"))
print('deleted rows:', r.affected_rows)
print('remaining:', must(db.query(conn, 'SELECT COUNT(*) AS n FROM crud_accounts'))[1].n)

must(db.exec(conn, 'DROP TABLE crud_accounts'))
print('close:', db.close(conn))

-- mysql: open/query/exec/escape/close, method style, errors, mysql.null, multi statements
local mysql = require('mysql')
local H = require('helpers.mysql')

local conn = H.connect()
print('open:', tostring(conn))

-- query: rows keyed by column name; SQL NULL is mysql.null (the column stays)
local rows = mysql.query(conn, "SELECT 1 AS a, 'two' AS b, NULL AS c")
print('rows:', #rows, rows[1].a, rows[1].b, rows[1].c == mysql.null)
print('null is unique:', mysql.null ~= nil, mysql.null ~= false, type(mysql.null))

-- exec: affected_rows / last_insert_id; method style
assert(conn:exec('DROP TABLE IF EXISTS basic_t'))
local r = conn:exec('CREATE TABLE basic_t (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))')
print('create:', r.affected_rows, r.last_insert_id)
r = conn:exec("INSERT INTO basic_t (name) VALUES ('a'), ('b'), ('c')")
print('insert:', r.affected_rows, r.last_insert_id)
r = mysql.exec(conn, 'INSERT INTO basic_t (name) VALUES (?)', 'd')
print('insert param:', r.affected_rows, r.last_insert_id)
r = conn:exec('UPDATE basic_t SET name = ? WHERE id > ?', 'z', 2)
print('update:', r.affected_rows)
for _, row in ipairs(conn:query('SELECT id, name FROM basic_t ORDER BY id')) do print(' ', row.id, row.name) end
print('query of a non-select:', #conn:query('DELETE FROM basic_t WHERE id = 4'))
print('exec of a select:', conn:exec('SELECT * FROM basic_t').affected_rows)
print('empty result:', #conn:query('SELECT * FROM basic_t WHERE id < 0'))

-- escape
print('escape:', conn:escape("it's \"quoted\"\n"), mysql.escape(conn, 'plain'))

-- server errors: nil, "<code>: <message>"
print(conn:query('SELECT * FROM no_such_table'))
print(conn:exec('INSERT INTO basic_t (nope) VALUES (1)'))
print(conn:query('SELEC 1'))
print(conn:query('SELECT ? + ?', 1))
-- the connection still works after errors
print('after errors:', conn:query('SELECT 42 AS x')[1].x)

-- multiple statements are refused unless asked for
local ok, err = conn:query('SELECT 1; SELECT 2')
print('multi refused:', ok, (err:match('^%d+')))
local multi = H.connect({ multi_statements = true })
rows = multi:query('SELECT 1 AS first; SELECT 2 AS second')
print('multi allowed (first result):', rows[1].first, multi:query('SELECT 3 AS x')[1].x)
multi:close()

-- connection errors
local bad = {}
for k, v in pairs(H.opts) do bad[k] = v end
bad.password = 'wrong'
local c, e = mysql.open(bad)
print('bad password:', c, (e:match('^1045: Access denied') ~= nil))
bad.password, bad.port, bad.host = H.opts.password, 1, '127.0.0.1'
c, e = mysql.open(bad)
print('refused:', c, e:match('^%d+'))
bad.port, bad.unix_socket, bad.host = nil, '/nonexistent/mysqld.sock', 'localhost'
c, e = mysql.open(bad)
print('bad socket:', c, e:match('^%d+'))
-- a host with a '/' is a Unix socket path
if os.getenv('MOONBASE_MYSQL_SOCKET') then
  local s = assert(mysql.open({ host = os.getenv('MOONBASE_MYSQL_SOCKET'), user = H.opts.user,
    password = H.opts.password, database = H.opts.database }))
  print('unix socket:', s:query('SELECT 7 AS x')[1].x)
  s:close()
end

-- programmer errors raise
print(pcall(mysql.query, 'nope', 'SELECT 1'))
print(pcall(mysql.query, conn, 42))
print(pcall(mysql.open, 'x'))
print(pcall(mysql.query, conn, 'SELECT ?', function() end))

-- close: idempotent; later use returns nil, "closed"
print('close:', conn:close(), mysql.close(conn))
print(conn:query('SELECT 1'))
print(conn:exec('SELECT 1'))
print(conn:escape('x'))

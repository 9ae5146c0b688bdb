-- mysql: type mapping and exact round trips, through the text protocol (no
-- parameters) and prepared statements (parameters)
local mysql = require('mysql')
local H = require('helpers.mysql')
local conn = H.connect()

local function show(label, rows)
  local row = rows[1]
  local keys = {}
  for k in pairs(row) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = row[k]
    out[#out + 1] = k .. '=' .. (v == mysql.null and 'NULL' or (type(v) .. ':' .. tostring(v)))
  end
  print(label, table.concat(out, ' '))
end

assert(conn:exec('DROP TABLE IF EXISTS types_t'))
assert(conn:exec([[CREATE TABLE types_t (
  id INT PRIMARY KEY, ti TINYINT, si SMALLINT, i INT, bi BIGINT, bu BIGINT UNSIGNED,
  de DECIMAL(20,4), fl FLOAT, db DOUBLE, d DATE, t TIME, dt DATETIME, ts DATETIME(6), y YEAR,
  vc VARCHAR(20), tx TEXT, bl BLOB, lb LONGBLOB, n INT NULL)]]))

-- extremes stored through parameters (big values passed as decimal strings)
assert(conn:exec([[INSERT INTO types_t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]],
  1, -128, 32767, -2147483648, '-9223372036854775808', '18446744073709551615',
  '12345678901234.5678', 1.5, 0.1, '2024-02-29', '-838:59:59', '2024-12-31 23:59:59',
  '2024-01-02 03:04:05.123456', 2155, 'héllo', 'text', 'a\0b\0c', '', mysql.null))
assert(conn:exec([[INSERT INTO types_t (id, bi, bu) VALUES (2, 9007199254740992, 9007199254740993),
  (3, -9007199254740992, 0), (4, 9223372036854775807, 9223372036854775808)]]))

show('text 1:', conn:query('SELECT * FROM types_t WHERE id = 1'))
show('prep 1:', conn:query('SELECT * FROM types_t WHERE id = ?', 1))
for id = 2, 4 do
  local a = conn:query('SELECT bi, bu FROM types_t WHERE id = ' .. id)[1]
  local b = conn:query('SELECT bi, bu FROM types_t WHERE id = ?', id)[1]
  print('bigint ' .. id .. ':', type(a.bi), a.bi, type(a.bu), a.bu, 'same in prepared:', a.bi == b.bi and a.bu == b.bu)
end
-- the extreme values go back in as parameters and match exactly
local back = conn:query('SELECT id FROM types_t WHERE bi = ? AND bu = ?', '-9223372036854775808', '18446744073709551615')
print('round trip as parameters:', #back, back[1] and back[1].id)
print('2^53 as a number parameter:', conn:query('SELECT ? + 0 AS x', 2 ^ 53)[1].x)
print('fraction parameter:', conn:query('SELECT ? AS x', 0.25)[1].x)
print('boolean parameters:', conn:query('SELECT ? AS t, ? AS f', true, false)[1].t)
print('NULL parameters:', conn:query('SELECT ? IS NULL AS a, ? IS NULL AS b', mysql.null, nil)[1].a)

-- BLOBs keep zero bytes; values over 65,535 bytes do not lose later rows
local blob = {}
for i = 0, 255 do blob[#blob + 1] = string.char(i) end
blob = table.concat(blob):rep(4)
local big = ('0123456789abcdef'):rep(16384) .. '\0tail'  -- 262,149 bytes
assert(conn:exec('DROP TABLE IF EXISTS types_blob'))
assert(conn:exec('CREATE TABLE types_blob (id INT PRIMARY KEY, b LONGBLOB)'))
assert(conn:exec('INSERT INTO types_blob VALUES (?, ?), (?, ?), (?, ?)', 1, blob, 2, big, 3, 'after'))
for _, rows in ipairs({ conn:query('SELECT id, b FROM types_blob ORDER BY id'),
                       conn:query('SELECT id, b FROM types_blob WHERE id > ? ORDER BY id', 0) }) do
  print(#rows, #rows[1].b, rows[1].b == blob, #rows[2].b, rows[2].b == big, rows[3].b)
end
print('zero bytes via text:', #conn:query("SELECT 'a\\0b' AS z")[1].z)
print('large via text:', #conn:query('SELECT REPEAT(\'x\', 100000) AS r, 2 AS later')[1].r)
conn:close()

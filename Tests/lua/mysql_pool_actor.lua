--! args: --threads 2
-- mysql_pool as an actor: fibers of two actors on two workers share its connections.
local mysql = require('mysql')
local mysql_pool = require('mysql_pool')
local inbox = require('inbox')
local moonbase = require('moonbase')

if _CONTEXT == 'worker' then
  -- A client actor: gets the pool's address, runs 4 queries at once, reports.
  local job = inbox:receive()
  local db = mysql_pool.client(job.pool)
  if job.crash then
    -- A client that fails while its request is being served.
    spawn(function() db:query('SELECT SLEEP(0.2)') end):detach()
    require('time').sleep(0.05)
    error('client crashed on purpose', 0)
  end
  local fibers = {}
  for i = 1, 4 do
    fibers[i] = spawn(function() return db:query('SELECT ? * 10 AS n, SLEEP(0.05) AS s', i)[1].n end)
  end
  local got = {}
  for i = 1, 4 do got[i] = fibers[i]:join() end
  job.reply:send({ worker = moonbase.worker(), got = got })
  return
end

local H = require('helpers.mysql')
local address = mysql_pool.start({ size = 2, connect = H.opts, thread = 2 })
local db = mysql_pool.client(address)

-- Several fibers of one VM waiting at once: each gets its own answer.
local fibers = {}
for i = 1, 6 do
  fibers[i] = spawn(function()
    local row = db:query('SELECT ? AS n, CONNECTION_ID() AS id, SLEEP(0.05) AS s', i)[1]
    return row.n, row.id
  end)
end
local ids, answers = {}, {}
for i = 1, 6 do
  local n, id = fibers[i]:join()
  answers[i] = n
  ids[id] = true
end
local distinct = 0
for _ in pairs(ids) do distinct = distinct + 1 end
print('own answers:', table.concat(answers, ' '), 'connections used <= 2:', distinct <= 2)

-- exec, parameters (nil and mysql.null are NULL), NULL comes back as mysql.null
assert(db:exec('DROP TABLE IF EXISTS pool_accounts'))
assert(db:exec('CREATE TABLE pool_accounts (id INT AUTO_INCREMENT PRIMARY KEY, owner VARCHAR(20), balance INT NOT NULL, note VARCHAR(20) NULL)'))
local r = db:exec('INSERT INTO pool_accounts (owner, balance, note) VALUES (?, ?, ?), (?, ?, ?)', 'alice', 100, nil, 'bob', 50, mysql.null)
print('inserted:', r.affected_rows, r.last_insert_id)
local rows = db:query('SELECT owner, balance, note FROM pool_accounts WHERE balance > ? ORDER BY id', { 0 })
print('rows:', #rows, rows[1].owner, rows[1].balance, rows[1].note == mysql.null, rows[2].owner)

-- errors come back as nil, err
print(db:query('SELECT * FROM no_such_table'))
print(db:query('SELECT ? + ?', 1))
print(pcall(db.query, db, 42))
print(pcall(db.exec, db, 'SELECT ?', {}))
print(pcall(db.query, db, 'SELECT ?', function() end))

-- a transaction: several statements on one connection, all or nothing
local function balances()
  local t = {}
  for _, row in ipairs(db:query('SELECT owner, balance FROM pool_accounts ORDER BY id')) do
    t[#t + 1] = row.owner .. '=' .. row.balance
  end
  return table.concat(t, ' ')
end
local function transfer(from, to, amount)
  return db:transaction({
    { 'UPDATE pool_accounts SET balance = balance - ? WHERE owner = ? AND balance >= ?', amount, from, amount, expect = 1 },
    { 'UPDATE pool_accounts SET balance = balance + ? WHERE owner = ?', amount, to, expect = 1 },
    { 'SELECT owner, balance, note FROM pool_accounts WHERE owner = ?', from, query = true },
  })
end
local results = transfer('alice', 'bob', 30)
print('transfer 30:', results[1].affected_rows, results[2].affected_rows, results[3][1].balance, results[3][1].note == mysql.null)
print('transfer 500:', transfer('alice', 'bob', 500))
print('to nobody:', transfer('alice', 'carol', 10))
print('bad statement:', db:transaction({ { 'UPDATE pool_accounts SET balance = 0' }, { 'SELECT nope FROM pool_accounts', query = true } }))
print('balances:', balances())
print(pcall(db.transaction, db, { 'not a table' }))

-- a fiber interrupted while waiting: it raises, the others still get their own answers
local slow = spawn(function() return db:query('SELECT SLEEP(0.3) AS s, 1 AS who') end)
local other = spawn(function() return db:query('SELECT 2 AS who')[1].who end)
require('time').sleep(0.05)
slow:interrupt()
print('interrupted:', pcall(slow.join, slow))
print('other:', other:join())
print('after the interrupted one:', db:query('SELECT 3 AS who')[1].who)

-- a second actor, on the other worker, uses the same pool at the same time
local client = spawn_vm('.', { thread = 2 })
client:send({ pool = address, reply = inbox })
local mine = spawn(function() return db:query('SELECT 7 AS n, SLEEP(0.05) AS s')[1].n end)
-- mysql_pool.receive() is inbox:receive() for a VM whose pool replies travel through its inbox
local report = mysql_pool.receive()
print('client actor on worker', report.worker, 'got:', table.concat(report.got, ' '), 'main got:', mine:join())

assert(db:exec('DROP TABLE pool_accounts'))

-- a client actor that ends while the pool serves its request: the pool goes on
local doomed = spawn_vm('.', { monitor = true })
doomed:send({ pool = address, crash = true })
local down = mysql_pool.receive()
print('client ended:', down.event, down.from == doomed, (down.reason:match('^[^\n]*')))
print('pool still serves:', db:query('SELECT 1 AS one')[1].one)

-- stop: later requests fail
print('stop:', db:stop())
local rr, err = db:query('SELECT 1')
print('after stop:', rr, err == 'closed' or err == 'dead')

-- a pool actor that fails (here: no connect settings) ends; its clients get nil, "dead"
local broken = spawn_vm('mysql_pool')
broken:send({ size = 1 })
local bdb = mysql_pool.client(broken)
print('failed pool:', bdb:query('SELECT 1'))
print('again:', bdb:query('SELECT 1'))
print(pcall(mysql_pool.client, 'nope'))
print(pcall(mysql_pool.start, { size = 0, connect = {} }))

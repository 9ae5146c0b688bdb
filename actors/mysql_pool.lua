-- mysql_pool: pools of mysql connections, in one VM or shared by many actors.
--
-- 1. In-VM pool, for the fibers of one VM:
--   local pool = require('mysql_pool').new{ size = 8, idle_timeout = 60, check_after = 5, connect = { host = ..., ... } }
--   local conn, err = pool:acquire()       -- waits while `size` connections are in use
--   pool:release(conn [, broken])          -- broken = true closes it instead of keeping it
--   local a, b = pool:with(function(conn) return conn:query('SELECT 1') end)
--   pool:close()                           -- closes idle connections now, busy ones on release
--
-- A connection idle for longer than `idle_timeout` seconds (default 60) is closed
-- at the pool's next acquire or release (no timer: a sleeping fiber would keep
-- the VM alive), so the pool shrinks after a burst. One idle for longer than
-- `check_after` seconds (default 5) is checked with `SELECT 1` before it is
-- handed out, and replaced if the check fails.
-- `with` releases the connection even when the function raises (it then closes it:
-- it may be in the middle of a transaction) and re-raises.
--
-- 2. Pool actor, for fibers in any actor (on any worker):
--   local address = require('mysql_pool').start{ size = 8, idle_timeout = 30, connect = {...}, thread = k }
--   local db = require('mysql_pool').client(address)  -- in each actor that uses it
--   db:query(sql, ...) / db:exec(sql, ...)             -- as conn:query / conn:exec, by message
--   db:transaction{ { sql, args..., query = true, expect = n }, ... } -- on one connection
--   db:stop()                                          -- the pool actor closes and ends
-- The actor owns an in-VM pool and serves at most `size` requests at once; the
-- others wait in its inbox (senders wait when that is full). See docs/API.md.
local mysql = require('mysql')
local channel = require('channel')
local time = require('time')

local Pool = {}
Pool.__index = Pool

local M = {}

-- Checks the options of new/start (raising at the caller's caller, naming
-- `fname`) and returns the pool size.
local function checked_size(opts, fname)
  if type(opts) ~= 'table' or type(opts.connect) ~= 'table' then
    error(fname .. ": bad argument #1 (table with a 'connect' table expected)", 3)
  end
  local size = opts.size or 4
  if type(size) ~= 'number' or size < 1 or size % 1 ~= 0 then
    error(fname .. ": 'size' must be a positive integer", 3)
  end
  for _, name in ipairs({ 'idle_timeout', 'check_after' }) do
    local v = opts[name]
    if v ~= nil and (type(v) ~= 'number' or v < 0) then
      error(fname .. ": '" .. name .. "' must be a number of seconds >= 0", 3)
    end
  end
  return size
end

function M.new(opts)
  local size = checked_size(opts, 'mysql_pool.new')
  local permits = channel.new(size)
  for _ = 1, size do permits:send(true) end
  return setmetatable({
    size = size,
    idle_timeout = opts.idle_timeout or 60,
    check_after = opts.check_after or 5,
    connect = opts.connect,
    permits = permits,  -- one token per connection that may be in use
    idle = {},          -- stack of { conn = , since = }
    busy = {},          -- conn -> true
    closed = false,
  }, Pool)
end

-- Closes the connections idle for longer than idle_timeout: the oldest are at
-- the bottom of the stack.
local function reap(self)
  local now = time.monotonic()
  while self.idle[1] and now - self.idle[1].since > self.idle_timeout do
    table.remove(self.idle, 1).conn:close()
  end
end

local function healthy(conn)
  local rows = conn:query('SELECT 1 AS ok')
  return rows ~= nil and rows[1] and rows[1].ok == 1
end

function Pool:acquire()
  if self.closed then return nil, 'closed' end
  local token = self.permits:receive()
  if not token or self.closed then return nil, 'closed' end
  reap(self)
  while #self.idle > 0 do
    local slot = table.remove(self.idle)
    if time.monotonic() - slot.since < self.check_after or healthy(slot.conn) then
      self.busy[slot.conn] = true
      return slot.conn
    end
    slot.conn:close()
  end
  local conn, err = mysql.open(self.connect)
  if not conn then
    self.permits:send(true)
    return nil, err
  end
  self.busy[conn] = true
  return conn
end

function Pool:release(conn, broken)
  if not self.busy[conn] then error('mysql_pool:release: connection not acquired from this pool', 2) end
  self.busy[conn] = nil
  -- escape answers nil on a connection already closed (a timeout, an interrupt):
  -- never handed out again
  if broken or self.closed or not conn:escape('') then
    conn:close()
  else
    self.idle[#self.idle + 1] = { conn = conn, since = time.monotonic() }
    reap(self)
  end
  if not self.closed then self.permits:send(true) end
end

local function after(self, conn, ok, ...)
  self:release(conn, not ok)
  if not ok then error((...), 0) end
  return ...
end

function Pool:with(fn)
  local conn, err = self:acquire()
  if not conn then return nil, err end
  return after(self, conn, pcall(fn, conn))
end

function Pool:close()
  if self.closed then return end
  self.closed = true
  for _, slot in ipairs(self.idle) do slot.conn:close() end
  self.idle = {}
  self.permits:close()
end


-- ===================================================================
-- The pool actor and its clients.
--
-- Request: { mysql_pool = 'query' | 'exec' | 'transaction' | 'stop', id = n,
--            reply = address, sql = s, params = { n = k, ... }, statements = {...} }
-- Reply:   { mysql_pool_reply = id, result = r, err = e, nulls = ... }
-- mysql.null (a light userdata) cannot travel in a message: the pool removes
-- NULL columns from rows and lists their names in `nulls`; the client puts
-- mysql.null back, so rows look the same as from a local connection.

local null = mysql.null

-- Removes NULLs from rows; returns { [row index] = { column names } } or nil.
local function strip_nulls(rows)
  local nulls
  for i, row in ipairs(rows) do
    for k, v in pairs(row) do
      if v == null then
        nulls = nulls or {}
        local names = nulls[i]
        if not names then names = {}; nulls[i] = names end
        names[#names + 1] = k
        row[k] = nil
      end
    end
  end
  return nulls
end

local function restore_nulls(rows, nulls)
  for i, names in pairs(nulls) do
    local row = rows[i]
    for _, k in ipairs(names) do row[k] = null end
  end
end

-- Client-side errors (2000-2999: lost connection, server gone, ...) and
-- "closed" or "timeout" leave the connection unusable: the pool replaces it.
local function broken_error(err)
  return err == 'closed' or err == 'timeout' or (type(err) == 'string' and err:match('^2%d%d%d:') ~= nil)
end

local function run_statement(conn, op, sql, params)
  if params then return conn[op](conn, sql, params) end
  return conn[op](conn, sql)
end

-- BEGIN, each statement, COMMIT; ROLLBACK at the first failure.
local function run_transaction(conn, statements)
  local ok, err = conn:exec('BEGIN')
  if not ok then return nil, err, broken_error(err) end
  local results, nulls = {}, nil
  for i, st in ipairs(statements) do
    local op = st.query and 'query' or 'exec'
    local r, e = run_statement(conn, op, st.sql, st.params)
    if r ~= nil and st.expect ~= nil then
      local got = op == 'query' and #r or r.affected_rows
      if got ~= st.expect then
        r, e = nil, ('%s %d, expected %d'):format(op == 'query' and 'rows' or 'affected rows', got, st.expect)
      end
    end
    if r == nil then
      local rolled = conn:exec('ROLLBACK')
      return nil, ('statement %d: %s'):format(i, e), broken_error(e) or not rolled
    end
    if op == 'query' then
      local n = strip_nulls(r)
      if n then nulls = nulls or {}; nulls[i] = n end
    end
    results[i] = r
  end
  local committed, cerr = conn:exec('COMMIT')
  if not committed then return nil, cerr, broken_error(cerr) end
  return results, nil, false, nulls
end

-- Runs one request on a pooled connection: result, err, nulls.
local function serve_request(pool, msg)
  local conn, err = pool:acquire()
  if not conn then return nil, err end
  local ok, result, e, broken, nulls = pcall(function()
    if msg.mysql_pool == 'transaction' then return run_transaction(conn, msg.statements) end
    local r, qe = run_statement(conn, msg.mysql_pool, msg.sql, msg.params)
    local n = (r ~= nil and msg.mysql_pool == 'query') and strip_nulls(r) or nil
    return r, qe, r == nil and broken_error(qe), n
  end)
  if not ok then
    -- A raised error (bad parameter type, ...) may leave a transaction open.
    pool:release(conn, true)
    return nil, tostring(result)
  end
  pool:release(conn, broken)
  return result, e, nulls
end

local requests = { query = true, exec = true, transaction = true }

local function serve_pool()
  local inbox = require('inbox')
  local config = inbox:receive()
  local pool = M.new({ size = config.size, idle_timeout = config.idle_timeout,
                       check_after = config.check_after, connect = config.connect })
  -- One token per request being served: at most `size` at once, the rest wait in the inbox.
  local slots = channel.new(pool.size)
  for _ = 1, pool.size do slots:send(true) end
  while true do
    slots:receive()
    local msg = inbox:receive()
    if type(msg) == 'table' and msg.mysql_pool == 'stop' then break end
    if type(msg) == 'table' and getmetatable(msg.reply) == 'address' then
      spawn(function()
        local result, err, nulls
        if requests[msg.mysql_pool] then
          result, err, nulls = serve_request(pool, msg)
        else
          err = 'mysql_pool: unknown request ' .. tostring(msg.mysql_pool)
        end
        slots:send(true)
        -- The client may have ended: its "dead" is not the pool's concern.
        msg.reply:send({ mysql_pool_reply = msg.id, result = result, err = err, nulls = nulls })
      end):detach()
    else
      slots:send(true)  -- not a request (no reply address): nothing to answer
    end
  end
  -- Later senders get nil, "closed"; requests being served finish, then the actor ends.
  inbox:close()
  pool:close()
end

-- Starts a pool actor; returns its address.
function M.start(opts)
  local size = checked_size(opts, 'mysql_pool.start')
  local address = spawn_vm('mysql_pool', { thread = opts.thread })
  address:send({ size = size, idle_timeout = opts.idle_timeout, check_after = opts.check_after,
                 connect = opts.connect })
  return address
end

-- Client side: one receiving fiber per VM takes every message from the inbox
-- while a request is pending or a fiber waits in M.receive: each reply goes to
-- the fiber waiting on its id (through a one-slot channel), any other message
-- to M.receive. Only that fiber receives, so the inbox is never "busy".
local inbox_of_vm
local next_id = 0
local waiting = {}      -- id -> { channel = , client = }
local pending = 0
local others = {}       -- { msg } boxes of messages that are no pool reply, for M.receive
local others_waiting = {}  -- channels of fibers waiting in M.receive (FIFO)
local receiver          -- the receiving fiber, while one runs
local clients = setmetatable({}, { __mode = 'k' })

local function fail_pending(client, err)
  for id, w in pairs(waiting) do
    if client == nil or w.client == client then
      waiting[id] = nil
      pending = pending - 1
      w.channel:send({ err = err })
    end
  end
end

-- Hands a pool reply, or the 'down' notice of a pool, to whom it concerns;
-- false for any other message.
local function deliver(msg)
  if type(msg) ~= 'table' then return false end
  local id = msg.mysql_pool_reply
  if id ~= nil then
    local w = waiting[id]
    if w then  -- else its fiber stopped waiting (interrupted): dropped
      waiting[id] = nil
      pending = pending - 1
      w.channel:send(msg)
    end
    return true
  end
  if msg.event == 'down' then
    local mine = false
    for client in pairs(clients) do
      if client.address == msg.from then
        mine = true
        client.dead = true
        fail_pending(client, 'dead')
      end
    end
    return mine
  end
  return false
end

local function receive_messages()
  while pending > 0 or #others_waiting > 0 do
    local ok, msg = pcall(inbox_of_vm.receive, inbox_of_vm)
    if ok then
      if not deliver(msg) then
        if #others_waiting > 0 then
          table.remove(others_waiting, 1):send({ msg })
        else
          others[#others + 1] = { msg }  -- boxed: a message may be nil
        end
      end
    elseif msg ~= 'interrupted' then
      -- The inbox was closed: no reply can come, M.receive raises as inbox:receive.
      fail_pending(nil, tostring(msg))
      for _, ch in ipairs(others_waiting) do ch:send({ error = msg }) end
      others_waiting = {}
    end
  end
  receiver = nil
end

local function ensure_receiver()
  if not receiver then
    receiver = spawn(receive_messages)
    receiver:detach()
  end
end

-- Nothing left to wait for: stop the receiver so that the inbox is free again.
local function maybe_stop_receiver()
  if pending == 0 and #others_waiting == 0 and receiver then receiver:interrupt() end
end

-- inbox:receive() for a VM that uses pool clients: the next message that is
-- no pool reply.
function M.receive()
  inbox_of_vm = inbox_of_vm or require('inbox')
  if #others > 0 then return table.remove(others, 1)[1] end
  local ch = channel.new(1)
  others_waiting[#others_waiting + 1] = ch
  ensure_receiver()
  local ok, got = pcall(ch.receive, ch)
  if not ok then
    for i, c in ipairs(others_waiting) do
      if c == ch then table.remove(others_waiting, i); break end
    end
    maybe_stop_receiver()
    error(got, 0)
  end
  if got.error ~= nil then error(got.error, 0) end
  return got[1]
end

local Client = {}
Client.__index = Client

local function check_sql(name, sql)
  if type(sql) ~= 'string' then
    error(('mysql_pool client:%s: bad argument #1 \'sql\' (string expected, got %s)'):format(name, type(sql)), 3)
  end
end

local param_types = { ['nil'] = true, boolean = true, number = true, string = true }

-- Parameters as a message can carry them: { n = count, ... } with mysql.null as nil.
local function pack_params(name, n, t)
  local params = { n = n }
  for i = 1, n do
    local v = t[i]
    if v == null then v = nil end
    if not param_types[type(v)] then
      error(('mysql_pool client:%s: bad parameter #%d (nil, boolean, number, string or mysql.null expected, got %s)')
        :format(name, i, type(v)), 3)
    end
    params[i] = v
  end
  return params
end

local function params_of(name, ...)
  local n = select('#', ...)
  if n == 0 then return nil end
  local first = ...
  if n == 1 and type(first) == 'table' then return pack_params(name, first.n or #first, first) end
  return pack_params(name, n, { ... })
end

local function request(client, msg)
  if client.dead then return nil, 'dead' end
  next_id = next_id + 1
  local id = next_id
  msg.id, msg.reply = id, inbox_of_vm
  local w = { channel = channel.new(1), client = client }
  waiting[id] = w
  pending = pending + 1
  local function forget()
    if waiting[id] then
      waiting[id] = nil
      pending = pending - 1
      maybe_stop_receiver()
    end
  end
  local sent, serr, why = pcall(client.address.send, client.address, msg)
  if not sent then forget(); error(serr, 0) end
  if not serr then forget(); return nil, why end
  ensure_receiver()
  local ok, reply = pcall(w.channel.receive, w.channel)
  if not ok then forget(); error(reply, 0) end
  if reply.err ~= nil then return nil, reply.err end
  return reply.result, nil, reply.nulls
end

function Client:query(sql, ...)
  check_sql('query', sql)
  local rows, err, nulls = request(self, { mysql_pool = 'query', sql = sql, params = params_of('query', ...) })
  if rows and nulls then restore_nulls(rows, nulls) end
  return rows, err
end

function Client:exec(sql, ...)
  check_sql('exec', sql)
  return request(self, { mysql_pool = 'exec', sql = sql, params = params_of('exec', ...) })
end

-- statements: { { sql, params..., query = true?, expect = n? }, ... }; returns
-- the array of their results, or nil, "statement k: err" after a ROLLBACK.
function Client:transaction(statements)
  if type(statements) ~= 'table' then
    error("mysql_pool client:transaction: bad argument #1 'statements' (table expected, got " .. type(statements) .. ')', 2)
  end
  local list = {}
  for i, st in ipairs(statements) do
    if type(st) ~= 'table' or type(st[1]) ~= 'string' then
      error(('mysql_pool client:transaction: statement %d must be a table { sql, params... }'):format(i), 2)
    end
    -- A trailing nil parameter is lost in a table constructor: mysql.null is the way.
    local n = table.maxn(st) - 1
    local params = pack_params('transaction', n, { select(2, unpack(st, 1, n + 1)) })
    if st.expect ~= nil and type(st.expect) ~= 'number' then
      error(('mysql_pool client:transaction: statement %d: expect must be a number'):format(i), 2)
    end
    list[i] = { sql = st[1], params = n > 0 and params or nil, query = st.query and true or nil, expect = st.expect }
  end
  local results, err, nulls = request(self, { mysql_pool = 'transaction', statements = list })
  if results and nulls then
    for i, n in pairs(nulls) do restore_nulls(results[i], n) end
  end
  return results, err
end

-- Asks the pool actor to stop: requests it is serving finish, later ones get nil, "closed".
function Client:stop()
  if self.dead then return true end
  local ok, err = self.address:send({ mysql_pool = 'stop' })
  if not ok and err ~= 'dead' and err ~= 'closed' then return nil, err end
  return true
end

function M.client(address)
  if getmetatable(address) ~= 'address' then
    error("mysql_pool.client: bad argument #1 'address' (address expected, got " .. type(address) .. ')', 2)
  end
  inbox_of_vm = inbox_of_vm or require('inbox')
  local client = setmetatable({ address = address, dead = false }, Client)
  clients[client] = true
  address:monitor()
  return client
end

if select('#', ...) == 0 and _CONTEXT == 'worker' then
  -- Started by spawn_vm (require passes the module name): be the pool actor.
  serve_pool()
end

return M

-- mysql_pool: a pool of mysql connections shared by the fibers of one VM.
--
--   local pool = require('mysql_pool').new{ size = 8, idle_timeout = 30, connect = { host = ..., ... } }
--   local conn, err = pool:acquire()       -- waits while `size` connections are in use
--   pool:release(conn [, broken])          -- broken = true closes it instead of keeping it
--   local a, b = pool:with(function(conn) return conn:query('SELECT 1') end)
--   pool:close()                           -- closes idle connections now, busy ones on release
--
-- A connection idle for longer than `idle_timeout` seconds (default 30) is checked
-- with `SELECT 1` before it is handed out, and replaced if the check fails.
-- `with` releases the connection even when the function raises (it then closes it:
-- it may be in the middle of a transaction) and re-raises.
-- This pool lives inside one VM (fibers, channels). A pool *actor* serving other
-- actors comes with the actors (messaging) issue.
local mysql = require('mysql')
local channel = require('channel')
local time = require('time')

local Pool = {}
Pool.__index = Pool

local M = {}

function M.new(opts)
  if type(opts) ~= 'table' or type(opts.connect) ~= 'table' then
    error("mysql_pool.new: bad argument #1 (table with a 'connect' table expected)", 2)
  end
  local size = opts.size or 4
  if type(size) ~= 'number' or size < 1 or size % 1 ~= 0 then
    error("mysql_pool.new: 'size' must be a positive integer", 2)
  end
  local permits = channel.new(size)
  for _ = 1, size do permits:send(true) end
  return setmetatable({
    size = size,
    idle_timeout = opts.idle_timeout or 30,
    connect = opts.connect,
    permits = permits,  -- one token per connection that may be in use
    idle = {},          -- stack of { conn = , since = }
    busy = {},          -- conn -> true
    closed = false,
  }, Pool)
end

local function healthy(conn)
  local rows = conn:query('SELECT 1 AS ok')
  return rows ~= nil and rows[1] and rows[1].ok == 1
end

function Pool:acquire()
  if self.closed then return nil, 'closed' end
  local token = self.permits:receive()
  if not token or self.closed then return nil, 'closed' end
  while #self.idle > 0 do
    local slot = table.remove(self.idle)
    if time.monotonic() - slot.since < self.idle_timeout or healthy(slot.conn) then
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
  if broken or self.closed then
    conn:close()
  else
    self.idle[#self.idle + 1] = { conn = conn, since = time.monotonic() }
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

return M

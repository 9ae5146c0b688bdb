---@meta mysql_pool
---@class moonbase.MySQLPool
local Pool = {}
---@return moonbase.MySQLConnection|nil
---@return string? err
function Pool:acquire() end
---@param conn moonbase.MySQLConnection
function Pool:release(conn) end
---Runs fn(conn) with a pooled connection, released even when fn raises.
---@param fn fun(conn: moonbase.MySQLConnection): ...
---@return any ...
function Pool:with(fn) end
function Pool:close() end

---@class moonbase.MySQLPoolClient
local Client = {}
---@return table[]|nil
---@return string? err
function Client:query(sql, ...) end
---@return table|nil
---@return string? err
function Client:exec(sql, ...) end
---@param statements table[]
---@return table|nil
---@return string? err
function Client:transaction(statements) end
function Client:stop() end

---@class moonbase.mysql_pool
local mysql_pool = {}
---In-VM pool: {size=, idle_timeout=, connect=...}.
---@param opts table
---@return moonbase.MySQLPool
function mysql_pool.new(opts) end
---Spawns the pool actor.
---@param opts table
---@return moonbase.Address
function mysql_pool.start(opts) end
---@param address moonbase.Address
---@return moonbase.MySQLPoolClient
function mysql_pool.client(address) end
---inbox:receive() for actors using a pool client.
---@return any
function mysql_pool.receive() end
return mysql_pool

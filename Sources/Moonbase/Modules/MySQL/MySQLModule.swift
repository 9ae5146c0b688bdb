import CLuaJIT
import CMoonbaseShim

/// `require 'mysql'`: MariaDB/MySQL client on Connector/C's non-blocking API.
///
/// Every operation is a chain of `mysql_*_start` / `mysql_*_cont` calls; when one
/// returns a wait status, the connection's `uv_poll_t` watches the socket (and its
/// `uv_timer_t` the timeout) and the chain goes on from the loop. Only the calling
/// fiber waits. The Lua side (below) queues fibers sharing a connection with a
/// fiber mutex, picks the text protocol (no parameters) or a prepared statement
/// (`?` parameters), and shapes the results.
///
/// The folder: this file (the Lua functions), `MySQLConn` (a connection and its
/// poll/timer driving), `MySQLConnect` (open options, connecting),
/// `MySQLTextQuery`, `MySQLPreparedStatement` with `MySQLParamBinds`,
/// `MySQLResultBinds` and `MySQLStatementCache`, `MySQLOutcome` and `MySQLValue`
/// (results to Lua), `MySQLEscapeAndNull`, `MySQLOwnedMemory` (buffers MariaDB
/// reads during an operation), and `LunetMySQL` (`require 'lunet.mysql'`).
enum MySQLModule {
    static let connMetatable = MetatableName("moonbase.mysql.conn")

    static let definition = LuaModule(name: "mysql", functions: [
        ("open", open),
        ("query", query),
        ("execute", execute),
        ("close", close),
        ("escape", escape),
        ("gc", collect),
        ("null", nullValue),
        ("set_metatable", setMetatable),
    ], source: mysqlLuaSource)

    // MARK: Lua functions

    static let setMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "mysql", "metatable")
            lua.pushValue(1)
            vm.metatables[connMetatable] = luaL_ref(lua.L, mb_registryindex())
            return 0
        }
    }

    static func box(_ lua: LuaState, _ vm: VM, _ i: Int32, _ fn: String) throws(LuaError) -> UnsafeMutableRawPointer {
        guard let p = vm.userdata(lua, i, connMetatable) else {
            throw .badArgument(fn, i, "conn", expected: "mysql connection", got: lua.typeName(at: i))
        }
        return p
    }

    /// The connection in the box at `i`; nil once it was collected.
    static func conn(_ lua: LuaState, _ vm: VM, _ i: Int32, _ fn: String) throws(LuaError) -> MySQLConn? {
        let p = try box(lua, vm, i, fn)
        guard let raw = p.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<MySQLConn>.fromOpaque(raw).takeUnretainedValue()
    }

    static func pushError(_ lua: LuaState, _ message: String) -> Int32 {
        lua.pushNil()
        lua.push(message)
        return 2
    }

    // open(opts) -> conn | nil, err; suspending.
    static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "mysql.open", "options")
            let options = try MySQLConnectOptions(lua)
            let fiber = try vm.suspendingFiber("mysql.open")
            if let n = fiber.takeInterruption(lua) { return n }
            guard let m = options.makeHandle() else { return pushError(lua, "2008: out of memory") }
            let conn = MySQLConn(vm: vm, mysql: m)
            return conn.begin(lua, vm, fiber: fiber, operation: MySQLConnect(options))
        }
    }

    // query(conn, sql) -> table, isRows | nil, err; suspending; text protocol.
    static let query: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "mysql.query")
            let sql = try lua.checkBytes(2, "mysql.query", "sql")
            let fiber = try vm.suspendingFiber("mysql.query")
            if let n = fiber.takeInterruption(lua) { return n }
            guard let c, c.usable else { return pushError(lua, "closed") }
            return c.begin(lua, vm, fiber: fiber, operation: MySQLTextQuery(OwnedBytes(sql)))
        }
    }

    // execute(conn, sql, params, n) -> table, isRows | nil, err; suspending;
    // a prepared statement with `params[1..n]` bound.
    static let execute: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "mysql.query")
            let sql = try lua.checkBytes(2, "mysql.query", "sql")
            try lua.checkType(3, LUA_TTABLE, "mysql.query", "params")
            let n = try lua.checkInteger(4, "mysql.query", "n")
            let params = try MySQLParamBinds(lua, table: 3, count: max(0, n))
            let fiber = try vm.suspendingFiber("mysql.query")
            if let r = fiber.takeInterruption(lua) { return r }
            guard let c, c.usable else { return pushError(lua, "closed") }
            return c.begin(lua, vm, fiber: fiber, operation: MySQLPreparedStatement(OwnedBytes(sql), params))
        }
    }

    // close(conn) -> true: starts an asynchronous close (never waits).
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try conn(lua, vm, 1, "mysql.close")?.closeAsync(wakeWaiter: true)
            lua.push(true)
            return 1
        }
    }

    // __gc of a connection: closes it and drops the box's reference.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let p = try box(lua, vm, 1, "mysql gc")
            if let raw = p.load(as: UnsafeMutableRawPointer?.self) {
                p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
                let c = Unmanaged<MySQLConn>.fromOpaque(raw)
                c.takeUnretainedValue().closeAsync(wakeWaiter: true)
                c.release()
            }
            return 0
        }
    }
}

/// The Lua face of `mysql`: argument checks, per-connection queueing, protocol
/// choice (text without parameters, prepared statement with them), result shape.
let mysqlLuaSource = """
local raw, rt = ...
local mutex = require('mutex')
local suspending = rt.suspending
local r_open, r_query, r_execute = suspending(raw.open), suspending(raw.query), suspending(raw.execute)
local r_close, r_escape = raw.close, raw.escape
local type, select, pcall, error, setmetatable, getmetatable = type, select, pcall, error, setmetatable, getmetatable
local null = raw.null()
local M = { null = null }
local conn_mt = { __metatable = 'mysql connection' }
raw.set_metatable(conn_mt)
conn_mt.__gc = raw.gc
conn_mt.__tostring = function() return 'mysql connection' end

-- One fiber at a time per connection: the others queue (FIFO) on its mutex.
local locks = setmetatable({}, { __mode = 'k' })
local function check(conn, sql, name)
  if type(conn) ~= 'userdata' or getmetatable(conn) ~= 'mysql connection' then
    error('mysql.' .. name .. ": bad argument #1 'conn' (mysql connection expected, got " .. type(conn) .. ')', 3)
  end
  if type(sql) ~= 'string' then
    error('mysql.' .. name .. ": bad argument #2 'sql' (string expected, got " .. type(sql) .. ')', 3)
  end
end
local function finish(m, ok, ...)
  m:unlock()
  if not ok then error((...), 0) end
  return ...
end
local function run(conn, sql, ...)
  local m = locks[conn]
  if not m then m = mutex.new(); locks[conn] = m end
  local n = select('#', ...)
  if n == 0 then
    m:lock()
    return finish(m, pcall(r_query, conn, sql))
  end
  local params = { ... }
  if n == 1 and type(params[1]) == 'table' then
    params = params[1]
    n = params.n or #params
  end
  m:lock()
  return finish(m, pcall(r_execute, conn, sql, params, n))
end

function M.open(opts)
  if type(opts) ~= 'table' then
    error("mysql.open: bad argument #1 'options' (table expected, got " .. type(opts) .. ')', 2)
  end
  return r_open(opts)
end

function M.query(conn, sql, ...)
  check(conn, sql, 'query')
  local r, rows = run(conn, sql, ...)
  if r == nil then return nil, rows end
  if rows then return r end
  return {}
end

function M.exec(conn, sql, ...)
  check(conn, sql, 'exec')
  local r, rows = run(conn, sql, ...)
  if r == nil then return nil, rows end
  if rows then return { affected_rows = #r, last_insert_id = 0 } end
  return r
end

function M.close(conn)
  if type(conn) ~= 'userdata' or getmetatable(conn) ~= 'mysql connection' then
    error("mysql.close: bad argument #1 'conn' (mysql connection expected, got " .. type(conn) .. ')', 2)
  end
  return r_close(conn)
end

function M.escape(conn, s)
  check(conn, s, 'escape')
  return r_escape(conn, s)
end

conn_mt.__index = { query = M.query, exec = M.exec, close = M.close, escape = M.escape }
return M
"""

import CLuaJIT

/// `require 'mysql'`: MariaDB/MySQL client on Connector/C's non-blocking API.
///
/// Every operation is a chain of `mysql_*_start` / `mysql_*_cont` calls; when one
/// returns a wait status, the connection's `uv_poll_t` watches the socket (and its
/// `uv_timer_t` the timeout) and the chain goes on from the loop. Only the calling
/// fiber waits. The Lua half (`lua/mysql.lua`) queues fibers sharing a connection with a
/// fiber mutex, picks the text protocol (no parameters) or a prepared statement
/// (`?` parameters), and shapes the results.
///
/// The folder: this file (the Lua functions), `MySQLConn` (a connection and its
/// poll/timer driving), `MySQLTimeouts` (the limits its watchdog timer
/// enforces), `MySQLConnect` (open options, connecting),
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
        ("settimeout", settimeout),
        ("escape", escape),
        ("gc", collect),
        ("null", nullValue),
        ("set_metatable", setMetatable),
    ], lua: "mysql")

    // MARK: Lua functions

    // set_metatable(mt): the Lua half's connection metatable, registered for the boxes.
    static let setMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "mysql", "metatable")
            vm.registerMetatable(connMetatable, at: 1, on: lua)
            return 0
        }
    }

    /// The connection boxed at `i`; nil once it was collected.
    static func conn(_ lua: LuaState, _ vm: VM, _ i: Int32, _ fn: String) throws(LuaError) -> MySQLConn? {
        if let c = vm.boxed(lua, i, connMetatable, as: MySQLConn.self) { return c }
        guard vm.box(lua, i, connMetatable) != nil else {
            throw .badArgument(fn, i, "conn", expected: "mysql connection", got: lua.typeName(at: i))
        }
        return nil
    }

    // open(opts) -> conn | nil, err; suspending.
    static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "mysql.open", "options")
            let options = try MySQLConnectOptions(lua)
            let fiber = try vm.suspendingFiber("mysql.open")
            if let n = fiber.takeInterruption(lua) { return n }
            guard let m = options.makeHandle() else { return lua.pushFailure("2008: out of memory") }
            let conn = MySQLConn(vm: vm, mysql: m, timeouts: options.timeouts)
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
            guard let c, c.usable else { return lua.pushFailure("closed") }
            guard let sql = OwnedBytes(sql) else { return lua.pushFailure(RawMemory.failure) }
            return c.begin(lua, vm, fiber: fiber, operation: MySQLTextQuery(sql))
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
            // The protocol's limit; the Lua half checks a user's `params.n` first.
            guard n >= 0, n <= 65535 else {
                throw .badArgument("mysql.query", 3, "params.n", expected: "integer from 0 to 65535", got: "\(n)")
            }
            let params = try MySQLParamBinds(lua, table: 3, count: n)
            let fiber = try vm.suspendingFiber("mysql.query")
            if let r = fiber.takeInterruption(lua) { return r }
            guard let c, c.usable else { return lua.pushFailure("closed") }
            guard let sql = OwnedBytes(sql) else { return lua.pushFailure(RawMemory.failure) }
            return c.begin(lua, vm, fiber: fiber, operation: MySQLPreparedStatement(sql, params))
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

    // settimeout(conn, seconds | nil) -> true | nil, "closed": the limit on each
    // later query as a whole (nil: none).
    static let settimeout: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "mysql.settimeout")
            let limit = try MySQLTimeouts.milliseconds(lua, 2, "mysql.settimeout", argument: 2, "seconds")
            guard let c, c.usable else { return lua.pushFailure("closed") }
            c.timeouts.query = limit
            lua.push(true)
            return 1
        }
    }

    // __gc of a connection: closes it and drops the box's reference.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).takeBoxed(lua, 1, connMetatable, as: MySQLConn.self)?.object.closeAsync(wakeWaiter: true)
            return 0
        }
    }
}

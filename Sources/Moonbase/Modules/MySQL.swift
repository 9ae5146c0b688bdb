import CLibUV
import CLuaJIT
import CMariaDB
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// `require 'mysql'`: MariaDB/MySQL client on Connector/C's non-blocking API.
///
/// Every operation is a chain of `mysql_*_start` / `mysql_*_cont` calls; when one
/// returns a wait status, the connection's `uv_poll_t` watches the socket (and its
/// `uv_timer_t` the timeout) and the chain goes on from the loop. Only the calling
/// fiber waits. The Lua side (below) queues fibers sharing a connection with a
/// fiber mutex, picks the text protocol (no parameters) or a prepared statement
/// (`?` parameters), and shapes the results.
enum MySQLModule {
    static let connMetatable = MetatableName("moonbase.mysql.conn")
    /// `mysql.null`: SQL NULL in rows and parameters.
    nonisolated(unsafe) static let null = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

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

    static let nullValue: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.pushLightUserdata(MySQLModule.null)
            return 1
        }
    }

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

    /// Reads `opts[key]` as a string (or nil).
    static func optString(_ lua: LuaState, _ key: String) throws(LuaError) -> String? {
        lua.rawGetField(1, key)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard let s = lua.toString(-1) else {
            throw LuaError("mysql.open: option '\(key)' (string expected, got \(lua.typeName(at: -1)))")
        }
        return s
    }

    static func optNumber(_ lua: LuaState, _ key: String) throws(LuaError) -> Double? {
        lua.rawGetField(1, key)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.type(at: -1) == LUA_TNUMBER else {
            throw LuaError("mysql.open: option '\(key)' (number expected, got \(lua.typeName(at: -1)))")
        }
        return lua.toNumber(-1)
    }

    // open(opts) -> conn | nil, err; suspending.
    static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "mysql.open", "options")
            var host = try optString(lua, "host") ?? "127.0.0.1"
            var socket = try optString(lua, "unix_socket")
            if host.contains("/") { socket = host; host = "localhost" }
            let port = try optNumber(lua, "port") ?? 3306
            let user = try optString(lua, "user") ?? "root"
            let password = try optString(lua, "password")
            let database = try optString(lua, "database")
            let charset = try optString(lua, "charset") ?? "utf8mb4"
            let timeout = try optNumber(lua, "connect_timeout")
            lua.rawGetField(1, "multi_statements")
            let multi = lua.toBoolean(-1)
            lua.pop()
            let fiber = try vm.suspendingFiber("mysql.open")
            if let n = fiber.takeInterruption(lua) { return n }
            guard let m = mysql_init(nil) else { return pushError(lua, "2008: out of memory") }
            mysql_options(m, MYSQL_OPT_NONBLOCK, nil)
            mysql_options(m, MYSQL_SET_CHARSET_NAME, charset)
            if let t = timeout {
                var secs = UInt32(max(1, min(t.rounded(.up), 86400)))
                mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &secs)
            }
            let strings = CStrings([host, user, password, database, socket])
            let conn = MySQLConn(vm: vm, mysql: m)
            let flags = UInt(multi ? CLIENT_MULTI_STATEMENTS : 0)
            return conn.begin(lua, vm, fiber: fiber, step: conn.connectStep(strings, port: UInt32(port), flags: flags))
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
            let text = OwnedBytes(sql)
            return c.begin(lua, vm, fiber: fiber, step: c.queryStep(text))
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
            let params = try ParamBinds(lua, table: 3, count: max(0, n))
            let fiber = try vm.suspendingFiber("mysql.query")
            if let r = fiber.takeInterruption(lua) { return r }
            guard let c, c.usable else { return pushError(lua, "closed") }
            let text = OwnedBytes(sql)
            return c.begin(lua, vm, fiber: fiber, step: c.executeStep(text, params))
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

    // escape(conn, s) -> escaped | nil, "closed"
    static let escape: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "mysql.escape")
            let s = try lua.checkBytes(2, "mysql.escape", "s")
            guard let c, c.usable, let m = c.mysql else { return pushError(lua, "closed") }
            let out = UnsafeMutablePointer<CChar>.allocate(capacity: 2 * s.count + 1)
            defer { out.deallocate() }
            // Lua strings always have a (NUL-terminated) buffer, also when empty.
            let n = mysql_real_escape_string(m, out, s.baseAddress!.assumingMemoryBound(to: CChar.self), UInt(s.count))
            lua.push(bytes: UnsafeRawBufferPointer(start: out, count: Int(n)))
            return 1
        }
    }

    // MARK: Values

    static let exactLimit: UInt64 = 1 << 53

    /// Integers within ±2^53 become numbers; larger magnitudes decimal strings.
    static func pushInteger(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) {
        let negative = bytes.first == UInt8(ascii: "-")
        var magnitude: UInt64 = 0
        var ok = bytes.count > (negative ? 1 : 0)
        for b in bytes.dropFirst(negative ? 1 : 0) {
            guard b >= 48, b <= 57 else { ok = false; break }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(b - 48))
            if o1 || o2 { ok = false; break }
            magnitude = m2
        }
        if ok && magnitude <= exactLimit {
            lua.push(negative ? -Double(magnitude) : Double(magnitude))
        } else {
            lua.push(bytes: bytes)
        }
    }

    static func isInteger(_ t: enum_field_types) -> Bool {
        t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_INT24
            || t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR
    }
    static func isFloat(_ t: enum_field_types) -> Bool { t == MYSQL_TYPE_FLOAT || t == MYSQL_TYPE_DOUBLE }

    /// Pushes a text-protocol value of a column of type `t`.
    static func pushText(_ lua: LuaState, _ t: enum_field_types, _ bytes: UnsafeRawBufferPointer) {
        if isInteger(t) {
            pushInteger(lua, bytes)
        } else if isFloat(t) {
            var buf = [CChar](repeating: 0, count: bytes.count + 1)
            for (i, b) in bytes.enumerated() { buf[i] = CChar(bitPattern: b) }
            lua.push(strtod(buf, nil))
        } else {
            lua.push(bytes: bytes)
        }
    }
}

/// C strings kept alive until the operation that uses them completes.
final class CStrings {
    let pointers: [UnsafeMutablePointer<CChar>?]
    init(_ values: [String?]) { pointers = values.map { $0.map { strdup($0)! } } }
    deinit { for p in pointers { free(p) } }
    subscript(i: Int) -> UnsafeMutablePointer<CChar>? { pointers[i] }
}

/// A copy of a Lua string (SQL text) owned until the operation completes.
final class OwnedBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int
    init(_ b: UnsafeRawBufferPointer) {
        count = b.count
        pointer = .allocate(capacity: max(1, b.count))
        if let base = b.baseAddress { UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: b.count) }
    }
    deinit { pointer.deallocate() }
}

/// Parameter bindings of a prepared statement, owned until it completes.
final class ParamBinds {
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let lengths: UnsafeMutablePointer<UInt>
    private var buffers: [UnsafeMutableRawPointer] = []

    init(_ lua: LuaState, table: Int32, count: Int) throws(LuaError) {
        self.count = count
        binds = .allocate(capacity: max(1, count))
        lengths = .allocate(capacity: max(1, count))
        UnsafeMutableRawPointer(binds).initializeMemory(as: UInt8.self, repeating: 0,
                                                        count: MemoryLayout<MYSQL_BIND>.stride * max(1, count))
        lengths.initialize(repeating: 0, count: max(1, count))
        for i in 0..<count {
            lua_rawgeti(lua.L, table, Int32(i + 1))
            defer { lua.pop() }
            let b = binds + i
            switch lua.type(at: -1) {
            case LUA_TNIL:
                b.pointee.buffer_type = MYSQL_TYPE_NULL
            case LUA_TLIGHTUSERDATA where lua_touserdata(lua.L, -1) == UnsafeMutableRawPointer(mutating: MySQLModule.null):
                b.pointee.buffer_type = MYSQL_TYPE_NULL
            case LUA_TBOOLEAN:
                let p = alloc(8)
                p.storeBytes(of: Int64(lua.toBoolean(-1) ? 1 : 0), as: Int64.self)
                b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                b.pointee.buffer = p
            case LUA_TNUMBER:
                let d = lua.toNumber(-1)
                let p = alloc(8)
                if d == d.rounded(), abs(d) < 9.2e18 {
                    p.storeBytes(of: Int64(d), as: Int64.self)
                    b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                } else {
                    p.storeBytes(of: d, as: Double.self)
                    b.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                }
                b.pointee.buffer = p
            case LUA_TSTRING:
                let s = lua.toBytes(-1)!
                let p = alloc(max(1, s.count))
                if let base = s.baseAddress { p.copyMemory(from: base, byteCount: s.count) }
                lengths[i] = UInt(s.count)
                b.pointee.buffer_type = MYSQL_TYPE_STRING
                b.pointee.buffer = p
                b.pointee.buffer_length = UInt(s.count)
                b.pointee.length = lengths + i
            default:
                throw LuaError("mysql.query: bad parameter #\(i + 1) (nil, boolean, number, string or mysql.null expected, got \(lua.typeName(at: -1)))")
            }
        }
    }

    private func alloc(_ n: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 8)
        buffers.append(p)
        return p
    }

    deinit {
        for p in buffers { p.deallocate() }
        binds.deallocate()
        lengths.deallocate()
    }
}

/// A value fetched through a prepared statement.
enum MySQLValue {
    case null, int(Int64), uint(UInt64), double(Double), bytes([UInt8])
}

/// One connection: a MYSQL handle, its poll and timer handles, and the
/// operation in flight. Confined to its VM's worker thread.
final class MySQLConn: FiberWait, VMResource {
    enum Outcome {
        case error(String)
        case connected
        case summary(affected: UInt64, insertID: UInt64)
        case textRows(UnsafeMutablePointer<MYSQL_RES>)
        case rows(names: [[UInt8]], rows: [[MySQLValue]])
    }

    /// Valid while `vmEnded` is false (a VM lives at least until it ends).
    private unowned(unsafe) let vm: VM
    private var vmEnded = false
    let loop: UnsafeMutablePointer<uv_loop_t>
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?
    private var poll: UnsafeMutablePointer<uv_poll_t>?
    private var pollFD: Int32 = -1
    /// Events the poll handle watches now (0: stopped). The poll is left
    /// watching between steps and operations when the next wait is the same
    /// (saves two epoll_ctl calls per round trip); an event while no operation
    /// runs stops it.
    private var pollEvents: Int32 = 0
    private var timer: UnsafeMutablePointer<uv_timer_t>?
    /// Advances the operation in flight with the events that happened; returns
    /// a MYSQL_WAIT_* status to wait for, or 0 when the operation is over.
    private var step: ((Int32) -> Int32)?
    fileprivate var outcome: Outcome?
    private var fiber: Fiber?
    private var serial: UInt64 = 0
    private var keepAlive: MySQLConn?
    private(set) var connected = false
    private var closeRequested = false
    private var closing = false
    /// Prepared statements by SQL text, reused by later calls with the same
    /// text: one round trip (execute) instead of three (prepare, execute, close).
    private var statements: [[UInt8]: UnsafeMutablePointer<MYSQL_STMT>] = [:]
    /// The cached statements' texts, least recently used first.
    private var statementOrder: [[UInt8]] = []
    static let statementCacheLimit = 32

    init(vm: VM, mysql: UnsafeMutablePointer<MYSQL>) {
        self.vm = vm
        self.loop = vm.worker.loop
        self.mysql = mysql
        vm.register(self)
    }

    var usable: Bool { connected && !closeRequested && mysql != nil }

    // MARK: Driving

    /// Starts an operation for `fiber` (running the Swift function on `lua`).
    /// Returns the suspending function's result: the values pushed at once when
    /// the operation completed inside its `_start` call, or a yield.
    func begin(_ lua: LuaState, _ vm: VM, fiber: Fiber, step: @escaping (Int32) -> Int32) -> Int32 {
        keepAlive = self
        self.step = step
        let status = step(0)
        if status == 0 {
            self.step = nil
            let result = outcome
            outcome = nil
            let n = result.map { push($0, lua) } ?? MySQLModule.pushError(lua, "closed")
            if case .textRows(let res)? = result { mysql_free_result(res) }
            if closeRequested || !connected { startClose() } else { keepAlive = nil }
            return n
        }
        self.fiber = fiber
        self.serial = fiber.suspend(on: self, external: true)
        wait(status)
        return vm.yield(lua)
    }

    private func drive(_ events: Int32) {
        guard let step else { return }
        let status = step(events)
        if status != 0 { wait(status); return }
        self.step = nil
        if closing { closed(); return }
        finish()
    }

    private func wait(_ status: Int32) {
        guard let m = mysql else { return }
        if status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE | MYSQL_WAIT_EXCEPT) != 0 {
            let fd = mysql_get_socket(m)
            if fd >= 0 {
                if poll == nil || pollFD != fd {
                    if let old = poll { closeHandle(old) }
                    let p = UnsafeMutablePointer<uv_poll_t>.allocate(capacity: 1)
                    uv_poll_init_socket(loop, p, fd)
                    p.pointee.data = Unmanaged.passUnretained(self).toOpaque()
                    poll = p
                    pollFD = fd
                    pollEvents = 0
                }
                var ev: Int32 = 0
                if status & MYSQL_WAIT_READ != 0 { ev |= Int32(UV_READABLE.rawValue) }
                if status & MYSQL_WAIT_WRITE != 0 { ev |= Int32(UV_WRITABLE.rawValue) }
                if status & MYSQL_WAIT_EXCEPT != 0 { ev |= Int32(UV_PRIORITIZED.rawValue) }
                if ev != pollEvents {
                    uv_poll_start(poll, ev, mysqlPollCallback)
                    pollEvents = ev
                }
            }
        } else {
            stopPoll()
        }
        if status & MYSQL_WAIT_TIMEOUT != 0 {
            if timer == nil {
                let t = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
                uv_timer_init(loop, t)
                t.pointee.data = Unmanaged.passUnretained(self).toOpaque()
                timer = t
            }
            uv_timer_start(timer, mysqlTimerCallback, UInt64(mysql_get_timeout_value_ms(m)), 0)
        }
    }

    private func stopPoll() {
        if let poll, pollEvents != 0 { uv_poll_stop(poll) }
        pollEvents = 0
    }

    fileprivate func polled(status: Int32, events: Int32) {
        if let timer { uv_timer_stop(timer) }
        guard step != nil else { stopPoll(); return }
        var ev: Int32 = 0
        if status < 0 {
            ev = MYSQL_WAIT_READ | MYSQL_WAIT_WRITE
        } else {
            if events & Int32(UV_READABLE.rawValue) != 0 { ev |= MYSQL_WAIT_READ }
            if events & Int32(UV_WRITABLE.rawValue) != 0 { ev |= MYSQL_WAIT_WRITE }
            if events & Int32(UV_PRIORITIZED.rawValue) != 0 { ev |= MYSQL_WAIT_EXCEPT }
        }
        drive(ev)
    }

    fileprivate func timedOut() {
        stopPoll()
        drive(MYSQL_WAIT_TIMEOUT)
    }

    /// The operation is over: hand its outcome to the waiting fiber.
    private func finish() {
        let result = outcome
        outcome = nil
        if let fiber {
            self.fiber = nil
            if let result {
                fiber.wake(serial: serial) { lua in push(result, lua) }
            }
        }
        if case .textRows(let res)? = result { mysql_free_result(res) }
        if closeRequested || !connected {
            startClose()
        } else {
            keepAlive = nil
        }
    }

    private func push(_ result: Outcome, _ lua: LuaState) -> Int32 {
        switch result {
        case .error(let e):
            return MySQLModule.pushError(lua, e)
        case .connected:
            let box = lua_newuserdata(lua.L, MemoryLayout<UnsafeMutableRawPointer?>.size)!
            box.storeBytes(of: Unmanaged.passRetained(self).toOpaque(), as: UnsafeMutableRawPointer?.self)
            if !vmEnded, let ref = vm.metatables[MySQLModule.connMetatable] {
                lua_rawgeti(lua.L, mb_registryindex(), ref)
                lua_setmetatable(lua.L, -2)
            }
            return 1
        case .summary(let affected, let insertID):
            lua_createtable(lua.L, 0, 2)
            lua.push(Double(affected == UInt64.max ? 0 : affected))
            lua.rawSetField(-2, "affected_rows")
            lua.push(Double(insertID))
            lua.rawSetField(-2, "last_insert_id")
            lua.push(false)
            return 2
        case .textRows(let res):
            let nfields = Int(mysql_num_fields(res))
            let fields = mysql_fetch_fields(res)!
            let nrows = mysql_num_rows(res)
            lua_createtable(lua.L, Int32(clamping: nrows), 0)
            var r: Int32 = 0
            while let row = mysql_fetch_row(res) {
                let lengths = mysql_fetch_lengths(res)!
                lua_createtable(lua.L, 0, Int32(nfields))
                for i in 0..<nfields {
                    let f = fields[i]
                    lua_pushlstring(lua.L, f.name, Int(f.name_length))
                    if let v = row[i] {
                        MySQLModule.pushText(lua, f.type, UnsafeRawBufferPointer(start: v, count: Int(lengths[i])))
                    } else {
                        lua.pushLightUserdata(MySQLModule.null)
                    }
                    lua_rawset(lua.L, -3)
                }
                r += 1
                lua_rawseti(lua.L, -2, r)
            }
            lua.push(true)
            return 2
        case .rows(let names, let rows):
            lua_createtable(lua.L, Int32(clamping: rows.count), 0)
            for (r, row) in rows.enumerated() {
                lua_createtable(lua.L, 0, Int32(names.count))
                for (i, v) in row.enumerated() {
                    names[i].withUnsafeBytes { lua.push(bytes: $0) }
                    switch v {
                    case .null: lua.pushLightUserdata(MySQLModule.null)
                    case .double(let d): lua.push(d)
                    case .int(let n):
                        if n.magnitude <= MySQLModule.exactLimit { lua.push(Double(n)) } else { lua.push(String(n)) }
                    case .uint(let n):
                        if n <= MySQLModule.exactLimit { lua.push(Double(n)) } else { lua.push(String(n)) }
                    case .bytes(let b): b.withUnsafeBytes { lua.push(bytes: $0) }
                    }
                    lua_rawset(lua.L, -3)
                }
                lua_rawseti(lua.L, -2, Int32(r + 1))
            }
            lua.push(true)
            return 2
        }
    }

    fileprivate func errorText() -> String {
        guard let m = mysql else { return "closed" }
        return "\(mysql_errno(m)): \(String(cString: mysql_error(m)))"
    }

    // MARK: Closing

    /// Marks the connection unusable and closes it without blocking: at once if
    /// idle, else once the operation in flight has failed (its socket is shut
    /// down so that it fails soon). `wakeWaiter`: the fiber waiting on that
    /// operation gets `nil, "closed"` (not when it is being interrupted).
    func closeAsync(wakeWaiter: Bool) {
        guard !closeRequested else { return }
        closeRequested = true
        if step != nil {
            if let fiber {
                self.fiber = nil
                if wakeWaiter { fiber.wake(serial: serial) { lua in MySQLModule.pushError(lua, "closed") } }
            }
            if let m = mysql {
                let fd = mysql_get_socket(m)
                if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        } else {
            startClose()
        }
    }

    func cancelWait(of fiber: Fiber) { closeAsync(wakeWaiter: false) }

    func release() {
        vmEnded = true
        closeAsync(wakeWaiter: false)
    }

    private func startClose() {
        closeRequested = true
        guard !closing else { return }
        closing = true
        keepAlive = self
        guard let m = mysql else { closed(); return }
        var started = false
        step = { ev in
            if started { return mysql_close_cont(m, ev) }
            started = true
            return mysql_close_start(m)
        }
        drive(0)
    }

    private func closed() {
        // mysql_close detached the statements from the connection: closing them
        // now only frees their memory (no I/O).
        for st in statements.values { mysql_stmt_close(st) }
        statements = [:]
        statementOrder = []
        mysql = nil
        connected = false
        if let poll { closeHandle(poll) }
        if let timer { closeHandle(timer) }
        poll = nil
        timer = nil
        if !vmEnded { vm.unregister(self) }
        keepAlive = nil
    }

    private func closeHandle<T>(_ h: UnsafeMutablePointer<T>) {
        let handle = UnsafeMutableRawPointer(h).assumingMemoryBound(to: uv_handle_t.self)
        handle.pointee.data = nil
        uv_close(handle, freeHandleCallback)
    }

    // MARK: Operations

    func connectStep(_ s: CStrings, port: UInt32, flags: UInt) -> (Int32) -> Int32 {
        var started = false
        return { [unowned self] ev in
            guard let m = self.mysql else { return 0 }
            var ret: UnsafeMutablePointer<MYSQL>? = nil
            let status: Int32
            if started {
                status = mysql_real_connect_cont(&ret, m, ev)
            } else {
                started = true
                status = mysql_real_connect_start(&ret, m, s[0], s[1], s[2], s[3], port, s[4], flags)
            }
            if status != 0 { return status }
            _ = s  // the strings live until the connection is made
            if ret == nil {
                self.outcome = .error(self.errorText())
            } else {
                self.connected = true
                self.outcome = .connected
            }
            return 0
        }
    }

    func queryStep(_ sql: OwnedBytes) -> (Int32) -> Int32 {
        TextQuery(self, sql).step
    }

    /// The cached statement for `key`, marked as the most recently used.
    private func cachedStatement(_ key: [UInt8]) -> UnsafeMutablePointer<MYSQL_STMT>? {
        guard let st = statements[key] else { return nil }
        if statementOrder.last != key, let i = statementOrder.firstIndex(of: key) {
            statementOrder.append(statementOrder.remove(at: i))
        }
        return st
    }

    /// Caches `st`; returns the least recently used statement it pushed out
    /// (to be closed by the caller), if the cache was full.
    private func cacheStatement(_ key: [UInt8], _ st: UnsafeMutablePointer<MYSQL_STMT>) -> UnsafeMutablePointer<MYSQL_STMT>? {
        statements[key] = st
        statementOrder.append(key)
        guard statementOrder.count > MySQLConn.statementCacheLimit else { return nil }
        return statements.removeValue(forKey: statementOrder.removeFirst())
    }

    private func forgetStatement(_ key: [UInt8]) {
        statements[key] = nil
        statementOrder.removeAll { $0 == key }
    }

    func executeStep(_ sql: OwnedBytes, _ params: ParamBinds) -> (Int32) -> Int32 {
        var phase = 0
        var ret: Int32 = 0
        var bret: my_bool = 0
        var stmt: UnsafeMutablePointer<MYSQL_STMT>? = nil
        let key = Array(UnsafeRawBufferPointer(start: sql.pointer, count: sql.count))
        /// `stmt` is in the cache: kept open at the end unless it failed.
        var cached = false
        /// A statement pushed out of the cache, closed at the end.
        var evicted: UnsafeMutablePointer<MYSQL_STMT>? = nil
        /// The result columns of a cached statement changed (ALTER TABLE):
        /// it is closed and the call starts again with a fresh prepare, once.
        var retrying = false, retried = false
        var results: ResultBinds? = nil
        var rows: [[MySQLValue]] = []
        return { [unowned self] ev in
            guard let m = self.mysql else { return 0 }
            func fail() {
                if cached, !retried, let st = stmt, mysql_stmt_errno(st) == 2057 {  // CR_NEW_STMT_METADATA (errmsg.h)
                    self.forgetStatement(key)
                    cached = false
                    retried = true
                    retrying = true
                    phase = 20
                    return
                }
                if let st = stmt {
                    self.outcome = .error("\(mysql_stmt_errno(st)): \(String(cString: mysql_stmt_error(st)))")
                } else {
                    self.outcome = .error(self.errorText())
                }
                // A statement that failed is not trusted again: closed, not kept.
                if cached { self.forgetStatement(key); cached = false }
                phase = 20
            }
            while true {
                switch phase {
                case 0:
                    if let st = self.cachedStatement(key) {
                        stmt = st
                        cached = true
                        phase = 2
                        continue
                    }
                    stmt = mysql_stmt_init(m)
                    guard let st = stmt else { self.outcome = .error(self.errorText()); return 0 }
                    let s = mysql_stmt_prepare_start(&ret, st, sql.pointer, UInt(sql.count))
                    if s != 0 { phase = 1; return s }
                    phase = 2
                case 1:
                    let s = mysql_stmt_prepare_cont(&ret, stmt!, ev)
                    if s != 0 { return s }
                    phase = 2
                case 2:
                    let st = stmt!
                    if ret != 0 { fail(); continue }
                    if !cached {
                        evicted = self.cacheStatement(key, st)
                        cached = true
                    }
                    let expected = Int(mysql_stmt_param_count(st))
                    if expected != params.count {
                        self.outcome = .error("mysql: \(expected) parameters expected, got \(params.count)")
                        phase = 20
                        continue
                    }
                    if expected > 0 && mysql_stmt_bind_param(st, params.binds) != 0 { fail(); continue }
                    let s = mysql_stmt_execute_start(&ret, st)
                    if s != 0 { phase = 3; return s }
                    phase = 4
                case 3:
                    let s = mysql_stmt_execute_cont(&ret, stmt!, ev)
                    if s != 0 { return s }
                    phase = 4
                case 4:
                    let st = stmt!
                    if ret != 0 { fail(); continue }
                    if mysql_stmt_field_count(st) == 0 {
                        self.outcome = .summary(affected: mysql_stmt_affected_rows(st), insertID: mysql_stmt_insert_id(st))
                        phase = 20
                        continue
                    }
                    var one: my_bool = 1
                    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &one)
                    let s = mysql_stmt_store_result_start(&ret, st)
                    if s != 0 { phase = 5; return s }
                    phase = 6
                case 5:
                    let s = mysql_stmt_store_result_cont(&ret, stmt!, ev)
                    if s != 0 { return s }
                    phase = 6
                case 6:
                    let st = stmt!
                    if ret != 0 { fail(); continue }
                    guard let meta = mysql_stmt_result_metadata(st) else { fail(); continue }
                    let rb = ResultBinds(meta)
                    mysql_free_result(meta)
                    results = rb
                    if mysql_stmt_bind_result(st, rb.binds) != 0 { fail(); continue }
                    phase = 7
                case 7:
                    let s = mysql_stmt_fetch_start(&ret, stmt!)
                    if s != 0 { phase = 8; return s }
                    phase = 9
                case 8:
                    let s = mysql_stmt_fetch_cont(&ret, stmt!, ev)
                    if s != 0 { return s }
                    phase = 9
                case 9:
                    if ret == MYSQL_NO_DATA {
                        self.outcome = .rows(names: results!.names, rows: rows)
                        rows = []
                        phase = 20
                    } else if ret == 0 || ret == MYSQL_DATA_TRUNCATED {
                        rows.append(results!.row(stmt!))
                        phase = 7
                    } else {
                        fail()
                    }
                case 20:
                    if cached {
                        // Kept for the next call: only its result set is freed (no I/O).
                        mysql_stmt_free_result(stmt!)
                        stmt = nil
                        cached = false
                    }
                    if stmt == nil { stmt = evicted; evicted = nil }
                    guard let st = stmt else { phase = 22; continue }
                    let s = mysql_stmt_close_start(&bret, st)
                    if s != 0 { phase = 21; return s }
                    phase = 22
                case 21:
                    let s = mysql_stmt_close_cont(&bret, stmt!, ev)
                    if s != 0 { return s }
                    phase = 22
                default:
                    if let e = evicted {
                        evicted = nil
                        stmt = e
                        phase = 20
                        continue
                    }
                    if retrying {
                        retrying = false
                        stmt = nil
                        results = nil
                        rows = []
                        phase = 0
                        continue
                    }
                    stmt = nil
                    results = nil
                    _ = params  // bound buffers live until the statement is closed
                    return 0
                }
            }
        }
    }
}

/// A text-protocol query in flight, stepped by its connection's poll: send,
/// wait until readable, read the result, store it, drop further results.
/// Its state lives in one object (one allocation per query rather than a heap
/// box per captured variable), copied to locals while a step runs.
final class TextQuery {
    private unowned(unsafe) let conn: MySQLConn  // alive while its operation runs (keepAlive)
    private let sql: OwnedBytes
    private var phase = 0
    private var ret: Int32 = 0
    private var readFailed: my_bool = 0
    private var res: UnsafeMutablePointer<MYSQL_RES>? = nil

    init(_ conn: MySQLConn, _ sql: OwnedBytes) {
        self.conn = conn
        self.sql = sql
    }

    func step(_ ev: Int32) -> Int32 {
        guard let m = conn.mysql else { return 0 }
        var phase = self.phase, ret = self.ret, readFailed = self.readFailed, res = self.res
        defer { self.phase = phase; self.ret = ret; self.readFailed = readFailed; self.res = res }
        while true {
            switch phase {
            case 0:
                // Send, then wait for the answer before reading: reading at once
                // (mysql_real_query) costs a recv that fails with EAGAIN per query.
                let s = mysql_send_query_start(&ret, m, sql.pointer, UInt(sql.count))
                if s != 0 { phase = 1; return s }
                phase = 9
            case 1:
                let s = mysql_send_query_cont(&ret, m, ev)
                if s != 0 { return s }
                phase = 9
            case 9:
                if ret != 0 { conn.outcome = .error(conn.errorText()); return 0 }
                phase = 10
                return MYSQL_WAIT_READ
            case 10:
                let s = mysql_read_query_result_start(&readFailed, m)
                if s != 0 { phase = 11; return s }
                phase = 2
            case 11:
                let s = mysql_read_query_result_cont(&readFailed, m, ev)
                if s != 0 { return s }
                phase = 2
            case 2:
                if readFailed != 0 { conn.outcome = .error(conn.errorText()); return 0 }
                if mysql_field_count(m) == 0 {
                    conn.outcome = .summary(affected: mysql_affected_rows(m), insertID: mysql_insert_id(m))
                    phase = 5
                    continue
                }
                let s = mysql_store_result_start(&res, m)
                if s != 0 { phase = 3; return s }
                phase = 4
            case 3:
                let s = mysql_store_result_cont(&res, m, ev)
                if s != 0 { return s }
                phase = 4
            case 4:
                guard let r = res else { conn.outcome = .error(conn.errorText()); return 0 }
                res = nil
                if conn.outcome == nil { conn.outcome = .textRows(r) } else { mysql_free_result(r) }
                phase = 5
            case 5:
                // Further results (multi_statements): read and drop them.
                guard mysql_more_results(m) != 0 else { return 0 }
                let s = mysql_next_result_start(&ret, m)
                if s != 0 { phase = 6; return s }
                phase = 7
            case 6:
                let s = mysql_next_result_cont(&ret, m, ev)
                if s != 0 { return s }
                phase = 7
            case 7:
                if ret > 0 {
                    if case .textRows(let r)? = conn.outcome { mysql_free_result(r) }
                    conn.outcome = .error(conn.errorText())
                    return 0
                }
                if ret < 0 { return 0 }
                if mysql_field_count(m) == 0 { phase = 5; continue }
                let s = mysql_store_result_start(&res, m)
                if s != 0 { phase = 8; return s }
                phase = 4
            case 8:
                let s = mysql_store_result_cont(&res, m, ev)
                if s != 0 { return s }
                phase = 4
            default:
                return 0
            }
        }
    }
}

/// Result bindings of a prepared statement: integers as 64-bit integers,
/// FLOAT/DOUBLE as doubles, everything else as bytes (DATE/TIME as text).
final class ResultBinds {
    let count: Int
    let names: [[UInt8]]
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let lengths: UnsafeMutablePointer<UInt>
    let nulls: UnsafeMutablePointer<my_bool>
    let errors: UnsafeMutablePointer<my_bool>
    private var buffers: [UnsafeMutableRawPointer] = []

    init(_ meta: UnsafeMutablePointer<MYSQL_RES>) {
        count = Int(mysql_num_fields(meta))
        let fields = mysql_fetch_fields(meta)!
        let n = max(1, count)
        binds = .allocate(capacity: n)
        UnsafeMutableRawPointer(binds).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<MYSQL_BIND>.stride * n)
        lengths = .allocate(capacity: n)
        lengths.initialize(repeating: 0, count: n)
        nulls = .allocate(capacity: n)
        nulls.initialize(repeating: 0, count: n)
        errors = .allocate(capacity: n)
        errors.initialize(repeating: 0, count: n)
        var names: [[UInt8]] = []
        for i in 0..<count {
            let f = fields[i]
            names.append(Array(UnsafeRawBufferPointer(start: f.name, count: Int(f.name_length))))
            let b = binds + i
            b.pointee.length = lengths + i
            b.pointee.is_null = nulls + i
            b.pointee.error = errors + i
            let size: Int
            if MySQLModule.isInteger(f.type) {
                b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                b.pointee.is_unsigned = f.flags & UInt32(UNSIGNED_FLAG) != 0 ? 1 : 0
                size = 8
            } else if MySQLModule.isFloat(f.type) {
                b.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                size = 8
            } else {
                b.pointee.buffer_type = MYSQL_TYPE_STRING
                size = max(64, Int(f.max_length) + 1)
            }
            let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            buffers.append(p)
            b.pointee.buffer = p
            b.pointee.buffer_length = UInt(size)
        }
        self.names = names
    }

    /// The values of the row just fetched.
    func row(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> [MySQLValue] {
        var out: [MySQLValue] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let b = binds + i
            if nulls[i] != 0 { out.append(.null); continue }
            switch b.pointee.buffer_type {
            case MYSQL_TYPE_LONGLONG:
                if b.pointee.is_unsigned != 0 {
                    out.append(.uint(b.pointee.buffer.load(as: UInt64.self)))
                } else {
                    out.append(.int(b.pointee.buffer.load(as: Int64.self)))
                }
            case MYSQL_TYPE_DOUBLE:
                out.append(.double(b.pointee.buffer.load(as: Double.self)))
            default:
                let len = Int(lengths[i])
                if len <= Int(b.pointee.buffer_length) {
                    out.append(.bytes(Array(UnsafeRawBufferPointer(start: b.pointee.buffer, count: len))))
                } else {
                    // Truncated: fetch the whole value from the stored row.
                    var bytes = [UInt8](repeating: 0, count: len)
                    var got: UInt = 0
                    bytes.withUnsafeMutableBytes { buf in
                        var tmp = MYSQL_BIND()
                        tmp.buffer_type = MYSQL_TYPE_STRING
                        tmp.buffer = buf.baseAddress
                        tmp.buffer_length = UInt(len)
                        withUnsafeMutablePointer(to: &got) { gp in
                            tmp.length = gp
                            _ = mysql_stmt_fetch_column(stmt, &tmp, UInt32(i), 0)
                        }
                    }
                    out.append(.bytes(bytes))
                }
            }
        }
        return out
    }

    deinit {
        for p in buffers { p.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}

private let mysqlPollCallback: uv_poll_cb = { handle, status, events in
    guard let data = handle?.pointee.data else { return }
    Unmanaged<MySQLConn>.fromOpaque(data).takeUnretainedValue().polled(status: status, events: events)
}

private let mysqlTimerCallback: uv_timer_cb = { handle in
    guard let data = handle?.pointee.data else { return }
    Unmanaged<MySQLConn>.fromOpaque(data).takeUnretainedValue().timedOut()
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

/// `require 'lunet.mysql'`: Lunet's names and conventions over `mysql`.
enum LunetMySQLModule {
    static let definition = LuaModule(name: "lunet.mysql", source: """
        local mysql = require('mysql')
        local null, pairs, ipairs = mysql.null, pairs, ipairs
        local M = {}
        -- SQL NULL is an absent key in Lunet's rows.
        local function strip(rows, err)
          if rows == nil then return nil, err end
          for _, row in ipairs(rows) do
            for k, v in pairs(row) do if v == null then row[k] = nil end end
          end
          return rows
        end
        M.open = mysql.open
        function M.query(conn, sql) return strip(mysql.query(conn, sql)) end
        function M.exec(conn, sql) return mysql.exec(conn, sql) end
        function M.query_params(conn, sql, ...) return strip(mysql.query(conn, sql, ...)) end
        function M.exec_params(conn, sql, ...) return mysql.exec(conn, sql, ...) end
        function M.close(conn) mysql.close(conn); return nil end
        M.escape = mysql.escape
        return M
        """)
}

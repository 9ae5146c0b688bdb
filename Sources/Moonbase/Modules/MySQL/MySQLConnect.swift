import CLuaJIT
import CMariaDB

/// The options of `mysql.open(opts)`, read from the table at index 1.
struct MySQLConnectOptions {
    var host: String
    var socket: String?
    var port: Double
    var user: String
    var password: String?
    var database: String?
    var charset: String
    var connectTimeout: Double?
    var multiStatements: Bool

    init(_ lua: LuaState) throws(LuaError) {
        host = try Self.string(lua, "host") ?? "127.0.0.1"
        socket = try Self.string(lua, "unix_socket")
        if host.contains("/") { socket = host; host = "localhost" }
        port = try Self.number(lua, "port") ?? 3306
        user = try Self.string(lua, "user") ?? "root"
        password = try Self.string(lua, "password")
        database = try Self.string(lua, "database")
        charset = try Self.string(lua, "charset") ?? "utf8mb4"
        connectTimeout = try Self.number(lua, "connect_timeout")
        lua.rawGetField(1, "multi_statements")
        multiStatements = lua.toBoolean(-1)
        lua.pop()
    }

    /// Reads `opts[key]` as a string (or nil).
    private static func string(_ lua: LuaState, _ key: String) throws(LuaError) -> String? {
        lua.rawGetField(1, key)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard let s = lua.toString(-1) else {
            throw LuaError("mysql.open: option '\(key)' (string expected, got \(lua.typeName(at: -1)))")
        }
        return s
    }

    private static func number(_ lua: LuaState, _ key: String) throws(LuaError) -> Double? {
        lua.rawGetField(1, key)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.type(at: -1) == LUA_TNUMBER else {
            throw LuaError("mysql.open: option '\(key)' (number expected, got \(lua.typeName(at: -1)))")
        }
        return lua.toNumber(-1)
    }

    /// A handle in non-blocking mode with the options that precede connecting;
    /// nil when out of memory.
    func makeHandle() -> UnsafeMutablePointer<MYSQL>? {
        guard let m = mysql_init(nil) else { return nil }
        mysql_options(m, MYSQL_OPT_NONBLOCK, nil)
        mysql_options(m, MYSQL_SET_CHARSET_NAME, charset)
        if let t = connectTimeout {
            var secs = UInt32(max(1, min(t.rounded(.up), 86400)))
            mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &secs)
        }
        return m
    }
}

/// Connecting: `mysql_real_connect` without blocking. Owns the C strings
/// MariaDB reads until the connection is made.
final class MySQLConnect: MySQLOperation {
    /// host, user, password, database, unix socket.
    private let strings: CStrings
    private let port: UInt32
    private let flags: UInt
    private var started = false

    init(_ options: MySQLConnectOptions) {
        strings = CStrings([options.host, options.user, options.password, options.database, options.socket])
        port = UInt32(options.port)
        flags = UInt(options.multiStatements ? CLIENT_MULTI_STATEMENTS : 0)
    }

    func step(_ conn: MySQLConn, _ events: Int32) -> Int32 {
        guard let m = conn.mysql else { return 0 }
        var ret: UnsafeMutablePointer<MYSQL>? = nil
        let status: Int32
        if started {
            status = mysql_real_connect_cont(&ret, m, events)
        } else {
            started = true
            let s = strings
            status = mysql_real_connect_start(&ret, m, s[0], s[1], s[2], s[3], port, s[4], flags)
        }
        if status != 0 { return status }
        if ret == nil {
            conn.outcome = .error(conn.errorText())
        } else {
            conn.connected = true
            conn.outcome = .connected
        }
        return 0
    }
}

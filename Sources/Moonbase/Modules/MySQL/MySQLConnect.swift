import CLuaJIT
import CMariaDB

/// The options of `mysql.open(opts)`, read from the table at index 1. A bad
/// value raises `mysql.open: bad argument #1 'options.NAME' (...)`.
struct MySQLConnectOptions {
    /// nil with a Unix socket: Connector/C uses a socket only for host
    /// "localhost" or none, and would otherwise connect over TCP.
    var host: String?
    var socket: String?
    var port: UInt32
    var user: String
    var password: String?
    var database: String?
    var charset: String
    var timeouts = MySQLTimeouts()
    var multiStatements: Bool

    init(_ lua: LuaState) throws(LuaError) {
        host = try Self.string(lua, "host")
        socket = try Self.string(lua, "unix_socket")
        if let h = host, h.contains("/") { socket = h }  // a path as host: a socket (as Lunet)
        if socket != nil { host = nil } else if host == nil { host = "127.0.0.1" }
        port = try Self.port(lua)
        user = try Self.string(lua, "user") ?? "root"
        password = try Self.string(lua, "password")
        database = try Self.string(lua, "database")
        charset = try Self.string(lua, "charset") ?? "utf8mb4"
        timeouts.connect = try Self.seconds(lua, "connect_timeout")
        timeouts.read = try Self.seconds(lua, "read_timeout")
        timeouts.write = try Self.seconds(lua, "write_timeout")
        lua.rawGetField(1, "multi_statements")
        multiStatements = lua.toBoolean(-1)
        lua.pop()
    }

    /// Reads `opts[key]` as a string (or nil).
    private static func string(_ lua: LuaState, _ key: String) throws(LuaError) -> String? {
        try lua.field(1, key) { i throws(LuaError) -> String? in
            if lua.isNoneOrNil(i) { return nil }
            guard lua.type(at: i) == LUA_TSTRING, let s = lua.toString(i) else {
                throw .badArgument("mysql.open", 1, "options.\(key)", expected: "string", got: lua.typeName(at: i))
            }
            return s
        }
    }

    /// Reads `opts[key]` as seconds (or nil), in milliseconds.
    private static func seconds(_ lua: LuaState, _ key: String) throws(LuaError) -> UInt64? {
        try lua.field(1, key) { i throws(LuaError) -> UInt64? in
            try MySQLTimeouts.milliseconds(lua, i, "mysql.open", argument: 1, "options.\(key)")
        }
    }

    /// `opts.port`: an integer 0...65535 (0: the default port, 3306).
    private static func port(_ lua: LuaState) throws(LuaError) -> UInt32 {
        try lua.field(1, "port") { i throws(LuaError) -> UInt32? in
            if lua.isNoneOrNil(i) { return 3306 }
            let isNumber = lua.type(at: i) == LUA_TNUMBER
            let n = isNumber ? lua.toNumber(i) : .nan
            guard n == n.rounded(), n >= 0, n <= 65535 else {  // NaN fails the first
                throw .badArgument("mysql.open", 1, "options.port", expected: "integer from 0 to 65535",
                                   got: isNumber ? MySQLTimeouts.describe(n) : lua.typeName(at: i))
            }
            return UInt32(n)
        } ?? 3306
    }

    /// A handle in non-blocking mode with the options that precede connecting;
    /// nil when out of memory. (No Connector/C timeouts: whole seconds only;
    /// the connection's watchdog enforces `timeouts` to the millisecond.)
    func makeHandle() -> UnsafeMutablePointer<MYSQL>? {
        guard let m = mysql_init(nil) else { return nil }
        mysql_options(m, MYSQL_OPT_NONBLOCK, nil)
        mysql_options(m, MYSQL_SET_CHARSET_NAME, charset)
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
        port = options.port
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

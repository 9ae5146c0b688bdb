import CLuaJIT
import CMariaDB

/// How long a connection's operations may wait on the server, in milliseconds
/// (nil: no limit). The connection's watchdog timer enforces them; past one,
/// the call returns `nil, "timeout"` and the connection is closed (the
/// protocol state is unknown once a reply was given up).
struct MySQLTimeouts {
    /// The whole of `mysql.open`: TCP connect, handshake, authentication.
    var connect: UInt64?
    /// Each wait for the server's reply during a query (restarted on progress).
    var read: UInt64?
    /// Each wait for the server to take the query's bytes.
    var write: UInt64?
    /// The whole of each query (`conn:settimeout`).
    var query: UInt64?

    /// The longest accepted, in seconds: beyond any real use, and still an
    /// exact count of milliseconds for the uv timer.
    static let maxSeconds = 1e9

    /// Each wait is limited, not only whole operations.
    var limitsWaits: Bool { read != nil || write != nil }

    /// The limit for the next wait of an operation that must be over by
    /// `deadline` (loop time, ms) and now waits for `status` (MYSQL_WAIT_*);
    /// nil: no limit.
    func nextLimit(now: UInt64, deadline: UInt64?, connected: Bool, status: Int32) -> UInt64? {
        var limit = deadline.map { $0 > now ? $0 - now : 0 }
        // The handshake is bounded by `connect` alone.
        guard connected else { return limit }
        if status & MYSQL_WAIT_READ != 0, let r = read { limit = min(limit ?? r, r) }
        if status & MYSQL_WAIT_WRITE != 0, let w = write { limit = min(limit ?? w, w) }
        return limit
    }

    /// Milliseconds for the seconds at `i` (nil for nil), rounded up; raises as
    /// `function`'s argument `argument` named `name` unless in (0, 1e9].
    static func milliseconds(_ lua: LuaState, _ i: Int32, _ function: String,
                             argument: Int32, _ name: String) throws(LuaError) -> UInt64? {
        if lua.isNoneOrNil(i) { return nil }
        let isNumber = lua.type(at: i) == LUA_TNUMBER
        let seconds = isNumber ? lua.toNumber(i) : .nan
        guard seconds > 0, seconds <= maxSeconds else {  // NaN fails both
            throw .badArgument(function, argument, name, expected: "seconds > 0 and <= 1e9",
                               got: isNumber ? describe(seconds) : lua.typeName(at: i))
        }
        return UInt64((seconds * 1000).rounded(.up))
    }

    /// A number as an error message shows it: integers without a fraction.
    static func describe(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 9.0e15 ? "\(Int(n))" : "\(n)"
    }
}

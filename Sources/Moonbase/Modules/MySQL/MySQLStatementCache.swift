import CMariaDB

/// A connection's prepared statements by SQL text, reused by later calls with
/// the same text: one round trip (execute) instead of three (prepare, execute,
/// close). At most `limit`, the least recently used pushed out first.
struct MySQLStatementCache {
    static let limit = 32
    private var statements: [[UInt8]: UnsafeMutablePointer<MYSQL_STMT>] = [:]
    /// The cached statements' texts, least recently used first.
    private var order: [[UInt8]] = []

    /// The cached statement for `key`, marked as the most recently used.
    mutating func lookup(_ key: [UInt8]) -> UnsafeMutablePointer<MYSQL_STMT>? {
        guard let st = statements[key] else { return nil }
        if order.last != key, let i = order.firstIndex(of: key) {
            order.append(order.remove(at: i))
        }
        return st
    }

    /// Caches `st`; returns the least recently used statement it pushed out
    /// (to be closed by the caller), if the cache was full.
    mutating func insert(_ key: [UInt8], _ st: UnsafeMutablePointer<MYSQL_STMT>) -> UnsafeMutablePointer<MYSQL_STMT>? {
        statements[key] = st
        order.append(key)
        guard order.count > Self.limit else { return nil }
        return statements.removeValue(forKey: order.removeFirst())
    }

    /// Drops `key` without closing its statement (the caller closes it).
    mutating func forget(_ key: [UInt8]) {
        statements[key] = nil
        order.removeAll { $0 == key }
    }

    /// Frees every statement, once `mysql_close` has detached them from the
    /// connection (no I/O then).
    mutating func closeAll() {
        for st in statements.values { mysql_stmt_close(st) }
        statements = [:]
        order = []
    }
}

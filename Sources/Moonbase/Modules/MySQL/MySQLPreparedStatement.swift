import CMariaDB

/// A query with parameters, run as a prepared statement and stepped by its
/// connection's poll: take the connection's cached statement for the SQL text
/// or prepare (and cache) one, bind the parameters, execute, store and fetch
/// the rows, then release the statement (kept in the cache, or closed).
/// Owns the SQL text and the bound parameter buffers until it is over.
final class MySQLPreparedStatement: MySQLOperation {
    /// The step to run next; `…Continue`: waiting in the `_cont` call of the
    /// step before.
    private enum Phase {
        /// Takes the cached statement, or starts preparing a new one.
        case start, prepareContinue
        /// Checks the prepare, caches the statement, binds, starts executing.
        case prepared, executeContinue
        /// Checks the execution: a summary, or starts storing the rows.
        case executed, storeContinue
        /// Binds the result columns.
        case stored
        case fetch, fetchContinue, fetched
        /// Keeps the statement in the cache (freeing its result only), or
        /// starts closing it.
        case release, closeContinue
        /// Releases an evicted statement next, starts again on a retry, or ends.
        case released
    }

    private let sql: OwnedBytes
    private let params: MySQLParamBinds
    /// The cache key: the SQL text.
    private let key: [UInt8]
    private var phase = Phase.start
    private var ret: Int32 = 0
    private var closeFailed: my_bool = 0
    private var stmt: UnsafeMutablePointer<MYSQL_STMT>? = nil
    /// `stmt` is in the cache: kept open at the end unless it failed.
    private var cached = false
    /// A statement pushed out of the cache, closed at the end.
    private var evicted: UnsafeMutablePointer<MYSQL_STMT>? = nil
    /// The result columns of a cached statement changed (ALTER TABLE):
    /// it is closed and the call starts again with a fresh prepare, once.
    private var retrying = false, retried = false
    private var results: MySQLResultBinds? = nil
    private var rows: [[MySQLValue]] = []

    init(_ sql: OwnedBytes, _ params: MySQLParamBinds) {
        self.sql = sql
        self.params = params
        key = Array(UnsafeRawBufferPointer(start: sql.pointer, count: sql.count))
    }

    func step(_ conn: MySQLConn, _ ev: Int32) -> Int32 {
        guard let m = conn.mysql else { return 0 }
        while true {
            switch phase {
            case .start:
                if let st = conn.statements.lookup(key) {
                    stmt = st
                    cached = true
                    phase = .prepared
                    continue
                }
                stmt = mysql_stmt_init(m)
                guard let st = stmt else { conn.outcome = .error(conn.errorText()); return 0 }
                let s = mysql_stmt_prepare_start(&ret, st, sql.pointer, UInt(sql.count))
                if s != 0 { phase = .prepareContinue; return s }
                phase = .prepared
            case .prepareContinue:
                let s = mysql_stmt_prepare_cont(&ret, stmt!, ev)
                if s != 0 { return s }
                phase = .prepared
            case .prepared:
                let st = stmt!
                if ret != 0 { fail(conn); continue }
                if !cached {
                    evicted = conn.statements.insert(key, st)
                    cached = true
                }
                let expected = Int(mysql_stmt_param_count(st))
                if expected != params.count {
                    conn.outcome = .error("mysql: \(expected) parameters expected, got \(params.count)")
                    phase = .release
                    continue
                }
                if expected > 0 && mysql_stmt_bind_param(st, params.binds) != 0 { fail(conn); continue }
                let s = mysql_stmt_execute_start(&ret, st)
                if s != 0 { phase = .executeContinue; return s }
                phase = .executed
            case .executeContinue:
                let s = mysql_stmt_execute_cont(&ret, stmt!, ev)
                if s != 0 { return s }
                phase = .executed
            case .executed:
                let st = stmt!
                if ret != 0 { fail(conn); continue }
                if mysql_stmt_field_count(st) == 0 {
                    conn.outcome = .summary(affected: mysql_stmt_affected_rows(st), insertID: mysql_stmt_insert_id(st))
                    phase = .release
                    continue
                }
                var one: my_bool = 1
                mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &one)
                let s = mysql_stmt_store_result_start(&ret, st)
                if s != 0 { phase = .storeContinue; return s }
                phase = .stored
            case .storeContinue:
                let s = mysql_stmt_store_result_cont(&ret, stmt!, ev)
                if s != 0 { return s }
                phase = .stored
            case .stored:
                let st = stmt!
                if ret != 0 { fail(conn); continue }
                guard let meta = mysql_stmt_result_metadata(st) else { fail(conn); continue }
                let rb = MySQLResultBinds(meta)
                mysql_free_result(meta)
                results = rb
                if mysql_stmt_bind_result(st, rb.binds) != 0 { fail(conn); continue }
                phase = .fetch
            case .fetch:
                let s = mysql_stmt_fetch_start(&ret, stmt!)
                if s != 0 { phase = .fetchContinue; return s }
                phase = .fetched
            case .fetchContinue:
                let s = mysql_stmt_fetch_cont(&ret, stmt!, ev)
                if s != 0 { return s }
                phase = .fetched
            case .fetched:
                if ret == MYSQL_NO_DATA {
                    conn.outcome = .rows(names: results!.names, rows: rows)
                    rows = []
                    phase = .release
                } else if ret == 0 || ret == MYSQL_DATA_TRUNCATED {
                    rows.append(results!.row(stmt!))
                    phase = .fetch
                } else {
                    fail(conn)
                }
            case .release:
                if cached {
                    // Kept for the next call: only its result set is freed (no I/O).
                    mysql_stmt_free_result(stmt!)
                    stmt = nil
                    cached = false
                }
                if stmt == nil { stmt = evicted; evicted = nil }
                guard let st = stmt else { phase = .released; continue }
                let s = mysql_stmt_close_start(&closeFailed, st)
                if s != 0 { phase = .closeContinue; return s }
                phase = .released
            case .closeContinue:
                let s = mysql_stmt_close_cont(&closeFailed, stmt!, ev)
                if s != 0 { return s }
                phase = .released
            case .released:
                if let e = evicted {
                    evicted = nil
                    stmt = e
                    phase = .release
                    continue
                }
                if retrying {
                    retrying = false
                    stmt = nil
                    results = nil
                    rows = []
                    phase = .start
                    continue
                }
                stmt = nil
                results = nil
                return 0
            }
        }
    }

    /// The statement failed: sets the error outcome and releases it, or
    /// starts again once if a cached statement's result columns changed.
    private func fail(_ conn: MySQLConn) {
        if cached, !retried, let st = stmt, mysql_stmt_errno(st) == 2057 {  // CR_NEW_STMT_METADATA (errmsg.h)
            conn.statements.forget(key)
            cached = false
            retried = true
            retrying = true
            phase = .release
            return
        }
        if let st = stmt {
            conn.outcome = .error("\(mysql_stmt_errno(st)): \(String(cString: mysql_stmt_error(st)))")
        } else {
            conn.outcome = .error(conn.errorText())
        }
        // A statement that failed is not trusted again: closed, not kept.
        if cached { conn.statements.forget(key); cached = false }
        phase = .release
    }
}

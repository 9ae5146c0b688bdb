import CMariaDB

/// A text-protocol query in flight, stepped by its connection's poll: send,
/// wait until readable, read the result, store it, drop further results.
/// Its state lives in one object (one allocation per query rather than a heap
/// box per captured variable), copied to locals while a step runs.
final class MySQLTextQuery: MySQLOperation {
    /// The step to run next; `…Continue`: waiting in the `_cont` call of that step.
    private enum Phase {
        case send, sendContinue, sent
        case read, readContinue, readDone
        case storeContinue, stored
        case nextResult, nextResultContinue, nextResultDone
    }

    private let sql: OwnedBytes
    private var phase = Phase.send
    private var ret: Int32 = 0
    private var readFailed: my_bool = 0
    private var res: UnsafeMutablePointer<MYSQL_RES>? = nil

    init(_ sql: OwnedBytes) {
        self.sql = sql
    }

    func step(_ conn: MySQLConn, _ ev: Int32) -> Int32 {
        guard let m = conn.mysql else { return 0 }
        var phase = self.phase, ret = self.ret, readFailed = self.readFailed, res = self.res
        defer { self.phase = phase; self.ret = ret; self.readFailed = readFailed; self.res = res }
        while true {
            switch phase {
            case .send:
                // Send, then wait for the answer before reading: reading at once
                // (mysql_real_query) costs a recv that fails with EAGAIN per query.
                let s = mysql_send_query_start(&ret, m, sql.pointer, UInt(sql.count))
                if s != 0 { phase = .sendContinue; return s }
                phase = .sent
            case .sendContinue:
                let s = mysql_send_query_cont(&ret, m, ev)
                if s != 0 { return s }
                phase = .sent
            case .sent:
                if ret != 0 { conn.outcome = .error(conn.errorText()); return 0 }
                phase = .read
                return MYSQL_WAIT_READ
            case .read:
                let s = mysql_read_query_result_start(&readFailed, m)
                if s != 0 { phase = .readContinue; return s }
                phase = .readDone
            case .readContinue:
                let s = mysql_read_query_result_cont(&readFailed, m, ev)
                if s != 0 { return s }
                phase = .readDone
            case .readDone:
                if readFailed != 0 { conn.outcome = .error(conn.errorText()); return 0 }
                if mysql_field_count(m) == 0 {
                    conn.outcome = .summary(affected: mysql_affected_rows(m), insertID: mysql_insert_id(m))
                    phase = .nextResult
                    continue
                }
                let s = mysql_store_result_start(&res, m)
                if s != 0 { phase = .storeContinue; return s }
                phase = .stored
            case .storeContinue:
                let s = mysql_store_result_cont(&res, m, ev)
                if s != 0 { return s }
                phase = .stored
            case .stored:
                guard let r = res else { conn.outcome = .error(conn.errorText()); return 0 }
                res = nil
                if conn.outcome == nil { conn.outcome = .textRows(r) } else { mysql_free_result(r) }
                phase = .nextResult
            case .nextResult:
                // Further results (multi_statements): read and drop them.
                guard mysql_more_results(m) != 0 else { return 0 }
                let s = mysql_next_result_start(&ret, m)
                if s != 0 { phase = .nextResultContinue; return s }
                phase = .nextResultDone
            case .nextResultContinue:
                let s = mysql_next_result_cont(&ret, m, ev)
                if s != 0 { return s }
                phase = .nextResultDone
            case .nextResultDone:
                if ret > 0 {
                    if case .textRows(let r)? = conn.outcome { mysql_free_result(r) }
                    conn.outcome = .error(conn.errorText())
                    return 0
                }
                if ret < 0 { return 0 }
                if mysql_field_count(m) == 0 { phase = .nextResult; continue }
                let s = mysql_store_result_start(&res, m)
                if s != 0 { phase = .storeContinue; return s }
                phase = .stored
            }
        }
    }
}

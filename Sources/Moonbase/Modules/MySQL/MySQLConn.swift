import CLibUV
import CMariaDB
#if canImport(Glibc)
import Glibc
#endif

/// One chain of MariaDB `_start`/`_cont` calls run on a connection (connect,
/// text query, prepared statement, close). It owns what MariaDB reads while it
/// runs (SQL text, bound buffers), and lives until the chain is over.
protocol MySQLOperation: AnyObject {
    /// Advances with the events that happened (0 for the first call); returns a
    /// MYSQL_WAIT_* status to wait for, or 0 when over (the result in
    /// `conn.outcome`).
    func step(_ conn: MySQLConn, _ events: Int32) -> Int32
}

/// One connection: a MYSQL handle, its poll and timer handles, and the
/// operation in flight. Confined to its VM's worker thread.
final class MySQLConn: FiberWait, VMResource {
    /// The VM that registered the connection as a resource; nil once it ended.
    private weak var vm: VM?
    let loop: UnsafeMutablePointer<uv_loop_t>
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?
    private var poll: UVHandle<uv_poll_t>?
    private var pollFD: Int32 = -1
    /// Events the poll handle watches now (0: stopped). The poll is left
    /// watching between steps and operations when the next wait is the same
    /// (saves two epoll_ctl calls per round trip); an event while no operation
    /// runs stops it.
    private var pollEvents: Int32 = 0
    private var timer: UVHandle<uv_timer_t>?
    /// The operation in flight, advanced by the poll and timer callbacks.
    private var operation: MySQLOperation?
    /// The result of the operation in flight, set by it.
    var outcome: MySQLOutcome?
    /// The fiber waiting for the operation in flight.
    private var waiting = WaitingFiber()
    /// Keeps the connection alive while an operation or the close runs, also
    /// when Lua has collected its box.
    private var keepAlive: MySQLConn?
    /// Set by `MySQLConnect` once the handshake succeeded.
    var connected = false
    private var closeRequested = false
    private var closing = false
    /// Prepared statements by SQL text, reused by later calls with the same text.
    var statements = MySQLStatementCache()

    init(vm: VM, mysql: UnsafeMutablePointer<MYSQL>) {
        self.vm = vm
        self.loop = vm.worker.loop
        self.mysql = mysql
        vm.register(self)
    }

    var usable: Bool { connected && !closeRequested && mysql != nil }

    // MARK: Driving

    /// Starts `operation` for `fiber` (running the Swift function on `lua`).
    /// Returns the suspending function's result: the values pushed at once when
    /// the operation completed inside its `_start` call, or a yield.
    func begin(_ lua: LuaState, _ vm: VM, fiber: Fiber, operation: MySQLOperation) -> Int32 {
        keepAlive = self
        self.operation = operation
        let status = operation.step(self, 0)
        if status == 0 {
            self.operation = nil
            let result = outcome
            outcome = nil
            let n = result.map { $0.push(lua, connection: self) } ?? lua.pushFailure("closed")
            if case .textRows(let res)? = result { mysql_free_result(res) }
            if closeRequested || !connected { startClose() } else { keepAlive = nil }
            return n
        }
        waiting.park(fiber, on: self)
        wait(status)
        return vm.yield(lua)
    }

    private func drive(_ events: Int32) {
        guard let operation else { return }
        let status = operation.step(self, events)
        if status != 0 { wait(status); return }
        self.operation = nil
        if closing { closed(); return }
        finish()
    }

    /// Watches the socket and/or the timeout that `status` asks for.
    private func wait(_ status: Int32) {
        guard let m = mysql else { return }
        if status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE | MYSQL_WAIT_EXCEPT) != 0 {
            let fd = mysql_get_socket(m)
            if fd >= 0 {
                let p = pollHandle(socket: fd)
                var ev: Int32 = 0
                if status & MYSQL_WAIT_READ != 0 { ev |= Int32(UV_READABLE.rawValue) }
                if status & MYSQL_WAIT_WRITE != 0 { ev |= Int32(UV_WRITABLE.rawValue) }
                if status & MYSQL_WAIT_EXCEPT != 0 { ev |= Int32(UV_PRIORITIZED.rawValue) }
                if ev != pollEvents {
                    uv_poll_start(p.pointer, ev, mysqlPollCallback)
                    pollEvents = ev
                }
            }
        } else {
            stopPoll()
        }
        if status & MYSQL_WAIT_TIMEOUT != 0 {
            uv_timer_start(timerHandle().pointer, mysqlTimerCallback, UInt64(mysql_get_timeout_value_ms(m)), 0)
        }
    }

    /// The poll handle on `fd`, made at the first wait (again if the socket changed).
    private func pollHandle(socket fd: Int32) -> UVHandle<uv_poll_t> {
        if let poll, pollFD == fd { return poll }
        poll?.close()
        let p = UVHandle<uv_poll_t>()
        uv_poll_init_socket(loop, p.pointer, fd)
        p.setOwner(self)
        poll = p
        pollFD = fd
        pollEvents = 0
        return p
    }

    /// The timer handle, made at the first wait with a timeout.
    private func timerHandle() -> UVHandle<uv_timer_t> {
        if let timer { return timer }
        let t = UVHandle<uv_timer_t>()
        uv_timer_init(loop, t.pointer)
        t.setOwner(self)
        timer = t
        return t
    }

    private func stopPoll() {
        if let poll, pollEvents != 0 { uv_poll_stop(poll.pointer) }
        pollEvents = 0
    }

    fileprivate func polled(status: Int32, events: Int32) {
        if let timer { uv_timer_stop(timer.pointer) }
        guard operation != nil else { stopPoll(); return }
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
        if let result {
            waiting.wake { lua in result.push(lua, connection: self) }
        } else {
            waiting.clear()
        }
        if case .textRows(let res)? = result { mysql_free_result(res) }
        if closeRequested || !connected {
            startClose()
        } else {
            keepAlive = nil
        }
    }

    /// Pushes the connection's Lua value: a box holding a reference to it
    /// (given back by `mysql gc`), with the connection metatable.
    func pushHandle(_ lua: LuaState) -> Int32 {
        guard let vm else { return lua.pushFailure("closed") }  // its VM ended: nobody to hand it to
        vm.pushBoxed(self, MySQLModule.connMetatable, onto: lua)
        return 1
    }

    func errorText() -> String {
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
        if operation != nil {
            if wakeWaiter { waiting.wake { lua in lua.pushFailure("closed") } } else { waiting.clear() }
            if let m = mysql {
                let fd = mysql_get_socket(m)
                if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        } else {
            startClose()
        }
    }

    func cancelWait(of fiber: Fiber) {
        waiting.cancel(fiber)
        closeAsync(wakeWaiter: false)
    }

    func release() {
        vm = nil
        closeAsync(wakeWaiter: false)
    }

    private func startClose() {
        closeRequested = true
        guard !closing else { return }
        closing = true
        keepAlive = self
        guard let m = mysql else { closed(); return }
        operation = MySQLClose(m)
        drive(0)
    }

    private func closed() {
        // mysql_close detached the statements from the connection: closing them
        // now only frees their memory (no I/O).
        statements.closeAll()
        mysql = nil
        connected = false
        poll?.close()
        timer?.close()
        poll = nil
        timer = nil
        vm?.unregister(self)
        keepAlive = nil
    }
}

/// Closing: `mysql_close` without blocking, the last operation of a connection.
private final class MySQLClose: MySQLOperation {
    private let mysql: UnsafeMutablePointer<MYSQL>
    private var started = false

    init(_ mysql: UnsafeMutablePointer<MYSQL>) { self.mysql = mysql }

    func step(_ conn: MySQLConn, _ events: Int32) -> Int32 {
        if started { return mysql_close_cont(mysql, events) }
        started = true
        return mysql_close_start(mysql)
    }
}

// The connection lives until it closes its handles (`keepAlive`), and a
// closed handle has no owner: a late callback finds nobody.
private let mysqlPollCallback: uv_poll_cb = { handle, status, events in
    UVHandle.owner(of: handle, as: MySQLConn.self)?.polled(status: status, events: events)
}

private let mysqlTimerCallback: uv_timer_cb = { handle in
    UVHandle.owner(of: handle, as: MySQLConn.self)?.timedOut()
}

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
    /// The VM that registered the connection as a resource; nil once the
    /// connection closed or the VM ended (strong, not weak: a weak reference
    /// gives the VM a side table and slows every retain of it).
    private var vm: VM?
    let loop: UnsafeMutablePointer<uv_loop_t>
    private(set) var mysql: UnsafeMutablePointer<MYSQL>?
    private var poll: UVHandle<uv_poll_t>?
    /// Connector/C's socket as last seen, and the duplicate of it the poll
    /// watches (-1: none, the poll watches `socketFD` itself).
    private var socketFD: Int32 = -1
    private var pollFD: Int32 = -1
    /// Events the poll handle watches now (0: stopped). The poll is left
    /// watching between steps and operations when the next wait is the same
    /// (saves two epoll_ctl calls per round trip); an event while no operation
    /// runs stops it.
    private var pollEvents: Int32 = 0
    private var timer: UVHandle<uv_timer_t>?
    /// Limits on waiting for the server, and the timer that enforces them
    /// (made at the first operation with a limit).
    var timeouts: MySQLTimeouts
    private var watchdog: UVHandle<uv_timer_t>?
    /// Loop time (ms) by which the operation in flight must be over.
    private var deadline: UInt64?
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

    init(vm: VM, mysql: UnsafeMutablePointer<MYSQL>, timeouts: MySQLTimeouts) {
        self.vm = vm
        self.loop = vm.worker.loop
        self.mysql = mysql
        self.timeouts = timeouts
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
        if let limit = connected ? timeouts.query : timeouts.connect {
            uv_update_time(loop)
            deadline = uv_now(loop) + limit
        }
        let status = operation.step(self, 0)
        if status == 0 {
            self.operation = nil
            deadline = nil
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
        deadline = nil
        if let watchdog { uv_timer_stop(watchdog.pointer) }
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
        // Closing is not limited: its socket is shut down, or the server idle.
        guard !closing, deadline != nil || timeouts.limitsWaits else { return }
        // The loop's cached time lags after a long callback: a timer from it would fire early.
        uv_update_time(loop)
        if let limit = timeouts.nextLimit(now: uv_now(loop), deadline: deadline, connected: connected, status: status) {
            uv_timer_start(watchdogHandle().pointer, mysqlWatchdogCallback, limit, 0)
        }
    }

    /// The poll handle on `fd`, made at the first wait (again if the socket changed).
    private func pollHandle(socket fd: Int32) -> UVHandle<uv_poll_t> {
        if let poll, socketFD == fd { return poll }
        closePoll()
        // Connector/C closes its socket itself (on errors) while the poll still
        // watches it, and a closed fd cannot be taken out of epoll: a forked
        // child's copy of it keeps reporting (libuv spins), and its number is
        // reused by the next socket. So the poll watches a duplicate, closed
        // after the poll; and children do not inherit the connection.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let duplicate = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        let p = UVHandle<uv_poll_t>()
        uv_poll_init_socket(loop, p.pointer, duplicate >= 0 ? duplicate : fd)
        p.setOwner(self)
        poll = p
        socketFD = fd
        pollFD = duplicate
        pollEvents = 0
        return p
    }

    private func closePoll() {
        poll?.close()  // stops watching at once: the duplicate can go now
        poll = nil
        if pollFD >= 0 { close(pollFD) }
        pollFD = -1
        socketFD = -1
        pollEvents = 0
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

    /// The watchdog timer, made at the first wait with a limit.
    private func watchdogHandle() -> UVHandle<uv_timer_t> {
        if let watchdog { return watchdog }
        let t = UVHandle<uv_timer_t>()
        uv_timer_init(loop, t.pointer)
        t.setOwner(self)
        watchdog = t
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

    /// A limit passed: the waiting fiber gets `nil, "timeout"` and the
    /// connection closes (the server's reply, if it ever comes, is unwanted).
    fileprivate func watchdogFired() {
        guard operation != nil, !closing else { return }
        abandon(wakeWith: "timeout")
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
        abandon(wakeWith: wakeWaiter ? "closed" : nil)
    }

    /// `closeAsync`, waking the waiting fiber with `nil, message` (nobody when nil).
    private func abandon(wakeWith message: String?) {
        guard !closeRequested else { return }
        closeRequested = true
        if operation != nil {
            if let message { waiting.wake { lua in lua.pushFailure(message) } } else { waiting.clear() }
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
        closePoll()
        timer?.close()
        watchdog?.close()
        timer = nil
        watchdog = nil
        vm?.unregister(self)
        vm = nil
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

private let mysqlWatchdogCallback: uv_timer_cb = { handle in
    UVHandle.owner(of: handle, as: MySQLConn.self)?.watchdogFired()
}

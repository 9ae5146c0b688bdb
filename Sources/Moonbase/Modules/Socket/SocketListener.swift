import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listening stream socket. Connections that arrive while no fiber waits in
/// `accept` are queued (at most `maxQueue`; then libuv holds one more and
/// stops accepting until the queue has room). Out of file descriptors, it
/// pauses accepting (`ListenerPause.swift`).
final class SocketListener: StreamSocket, FiberWait {
    var queue: [SocketConnection] = []
    /// The fiber waiting in `accept` (one at a time).
    var acceptor = WaitingFiber()
    var unixPath: String?
    var nodelay = false
    var ceiling = SocketModule.defaultCeiling
    var backlog = 511
    /// A connection libuv holds because the queue was full (libuv stops
    /// accepting until it is taken).
    var deferred = false
    static let maxQueue = 1024
    /// Made at the first timed accept or pause.
    var timer: SocketTimer?
    /// Loop time (ms) the waiting `accept` gives up at; 0: none.
    var acceptDeadline: UInt64 = 0
    /// The pause while file descriptors are exhausted (see `ListenerPause.swift`).
    var pause = ListenerPause()

    override func close() {
        guard !closed else { return }
        closeHandle()
        pause.end()
        timer?.close()
        timer = nil
        for c in queue { c.close() }
        queue.removeAll()
        if let path = unixPath { unlink(path) }
        acceptor.wake { lua in lua.pushFailure("closed") }
    }

    override func release() {
        acceptor.clear()
        close()
    }

    func cancelWait(of fiber: Fiber) {
        acceptor.cancel(fiber)
        acceptDeadline = 0
    }

    /// Starts listening; negative status on failure.
    func listen(backlog: Int) -> Int32 {
        self.backlog = backlog
        return uv_listen(stream, Int32(backlog), listenerCallback)
    }

    /// Waits in `accept` at most `seconds`.
    func setAcceptDeadline(_ seconds: Double) {
        let t = ownTimer()
        acceptDeadline = t.deadline(after: seconds)
        t.arm(at: acceptDeadline)
    }

    func ownTimer() -> SocketTimer {
        if let t = timer { return t }
        let t = SocketTimer(loop: vm.worker.loop, owner: self)
        timer = t
        return t
    }

    /// Accepts the connection libuv holds, now that the queue has room.
    func acceptDeferred() {
        if deferred && !closed && !pause.isPaused {
            deferred = false
            if let c = take() { queue.append(c) }
        }
    }

    private func take() -> SocketConnection? {
        let c = SocketConnection(vm: vm, tcp: tcp)
        if nodelay, case .tcp(let t) = c.handle { uv_tcp_nodelay(t.pointer, 1) }
        c.ceiling = ceiling
        if uv_accept(stream, c.stream) < 0 { c.close(); return nil }
        var fd: uv_os_fd_t = -1
        if uv_fileno(UnsafeMutableRawPointer(c.stream).assumingMemoryBound(to: uv_handle_t.self), &fd) == 0 {
            ListenerPause.accepted(fd: fd, loop: vm.worker.loop)
        }
        return c
    }

    fileprivate func onConnection(_ status: Int32) {
        if status == UV_EMFILE.rawValue || status == UV_ENFILE.rawValue {
            pauseAccepting(status)
            return
        }
        if status < 0 {
            // Transient (ECONNABORTED, ENOMEM, ...): reported to a waiting accept, which may retry.
            acceptDeadline = 0
            acceptor.wake { lua in lua.pushFailure(uvErrorName(status)) }
            return
        }
        if acceptor.isEmpty && queue.count >= SocketListener.maxQueue { deferred = true; return }
        guard let c = take() else { return }
        if !acceptor.isEmpty {
            acceptDeadline = 0
            acceptor.wake { lua in
                vm.pushBoxed(c, SocketModule.connMetatable, onto: lua)
                return 1
            }
        } else {
            queue.append(c)
        }
    }

    /// Starts a new handle on the listening socket after a pause.
    func relisten() -> Int32 {
        uv_listen(stream, Int32(backlog), listenerCallback)
    }
}

extension SocketListener: SocketTimerOwner {
    func timerFired(now: UInt64) {
        guard !closed, let t = timer else { return }
        if acceptDeadline != 0 && now >= acceptDeadline {
            acceptDeadline = 0
            acceptor.wake { lua in lua.pushFailure("timeout") }
        }
        if pause.isPaused && now >= pause.retryAt { tryResume() }
        var next = acceptDeadline
        if pause.isPaused && (next == 0 || pause.retryAt < next) { next = pause.retryAt }
        if next != 0 { t.arm(at: next) }
    }
}

private let listenerCallback: uv_connection_cb = { server, status in
    StreamSocket.owner(of: server, as: SocketListener.self)?.onConnection(status)
}

import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listening stream socket. Connections that arrive while no fiber waits in
/// `accept` are queued (at most `maxQueue`; then libuv holds one more and
/// stops accepting until the queue has room).
final class SocketListener: StreamSocket, FiberWait {
    var queue: [SocketConnection] = []
    /// The fiber waiting in `accept` (one at a time).
    var acceptor = WaitingFiber()
    var unixPath: String?
    var nodelay = false
    var ceiling = SocketModule.defaultCeiling
    /// A connection libuv holds because the queue was full (libuv stops
    /// accepting until it is taken).
    var deferred = false
    static let maxQueue = 1024

    override func close() {
        guard !closed else { return }
        closeHandle()
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
    }

    /// Starts listening; negative status on failure.
    func listen(backlog: Int) -> Int32 {
        uv_listen(stream, Int32(backlog), listenerCallback)
    }

    /// Accepts the connection libuv holds, now that the queue has room.
    func acceptDeferred() {
        if deferred && !closed {
            deferred = false
            if let c = take() { queue.append(c) }
        }
    }

    private func take() -> SocketConnection? {
        let c = SocketConnection(vm: vm, tcp: tcp)
        if nodelay, case .tcp(let t) = c.handle { uv_tcp_nodelay(t.pointer, 1) }
        c.ceiling = ceiling
        if uv_accept(stream, c.stream) < 0 { c.close(); return nil }
        return c
    }

    fileprivate func onConnection(_ status: Int32) {
        if status < 0 {
            acceptor.wake { lua in lua.pushFailure(uvErrorName(status)) }
            return
        }
        if acceptor.isEmpty && queue.count >= SocketListener.maxQueue { deferred = true; return }
        guard let c = take() else { return }
        if !acceptor.isEmpty {
            acceptor.wake { lua in
                vm.pushBoxed(c, SocketModule.connMetatable, onto: lua)
                return 1
            }
        } else {
            queue.append(c)
        }
    }
}

private let listenerCallback: uv_connection_cb = { server, status in
    StreamSocket.owner(of: server, as: SocketListener.self)?.onConnection(status)
}

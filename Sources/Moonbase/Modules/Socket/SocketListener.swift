import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listening stream socket. Connections that arrive while no fiber waits in
/// `accept` are queued (at most `maxQueue`; then libuv holds one more and
/// stops accepting until the queue has room).
final class SocketListener: StreamSocket, FiberWait, BoxedHandle {
    var queue: [SocketConnection] = []
    var waiter: Fiber?
    var serial: UInt64 = 0
    var error: String?
    var unixPath: String?
    var nodelay = false
    var ceiling = SocketModule.defaultCeiling
    /// A connection libuv holds because the queue was full (libuv stops
    /// accepting until it is taken).
    var deferred = false
    static let maxQueue = 1024

    func close() {
        guard !closed else { return }
        closeHandle()
        for c in queue { c.close() }
        queue.removeAll()
        if let path = unixPath { unlink(path) }
        if let f = waiter {
            waiter = nil
            f.wake(serial: serial) { lua in UVError.fail(lua, "closed") }
        }
    }

    override func release() {
        waiter = nil
        close()
    }

    func cancelWait(of fiber: Fiber) {
        if waiter === fiber { waiter = nil }
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
        let client: UnsafeMutableRawPointer
        if tcp {
            let t = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
            uv_tcp_init(vm.worker.loop, t)
            if nodelay { uv_tcp_nodelay(t, 1) }
            client = UnsafeMutableRawPointer(t)
        } else {
            let p = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
            uv_pipe_init(vm.worker.loop, p, 0)
            client = UnsafeMutableRawPointer(p)
        }
        let c = SocketConnection(vm: vm, handle: client, tcp: tcp)
        c.ceiling = ceiling
        if uv_accept(stream, c.stream) < 0 { c.close(); return nil }
        return c
    }

    fileprivate func onConnection(_ status: Int32) {
        if status < 0 {
            if let f = waiter {
                waiter = nil
                f.wake(serial: serial) { lua in UVError.fail(lua, UVError.name(status)) }
            }
            return
        }
        if waiter == nil && queue.count >= SocketListener.maxQueue { deferred = true; return }
        guard let c = take() else { return }
        if let f = waiter {
            waiter = nil
            let vm = self.vm
            f.wake(serial: serial) { lua in
                HandleBox.push(vm, c, SocketModule.connMetatable, onto: lua)
                return 1
            }
        } else {
            queue.append(c)
        }
    }
}

private let listenerCallback: uv_connection_cb = { server, status in
    guard let data = server?.pointee.data else { return }
    Unmanaged<SocketListener>.fromOpaque(data).takeUnretainedValue().onConnection(status)
}

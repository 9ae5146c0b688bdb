import CLibUV

/// A connect request in progress (TCP or Unix). `start` is the one place that
/// hands the request to libuv, `connectCallback` the one place that takes it
/// back; meanwhile the request's `data` holds a retained reference.
final class ConnectOperation: FiberWait {
    let conn: SocketConnection
    let fiber: Fiber
    var serial: UInt64 = 0
    var cancelled = false

    init(conn: SocketConnection, fiber: Fiber) {
        self.conn = conn
        self.fiber = fiber
    }

    /// Hands a new request and its callback to `submit` (`uv_tcp_connect`,
    /// `uv_pipe_connect`); returns its status (negative: nothing pending).
    func start(_ submit: (UnsafeMutablePointer<uv_connect_t>, uv_connect_cb) -> Int32) -> Int32 {
        let req = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        req.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let r = submit(req, connectCallback)
        if r < 0 {
            Unmanaged<ConnectOperation>.fromOpaque(req.pointee.data).release()
            req.deallocate()
        }
        return r
    }

    func cancelWait(of fiber: Fiber) {
        cancelled = true
        conn.close(wake: false)
    }

    fileprivate func finish(_ status: Int32) {
        if cancelled { conn.close(wake: false); return }
        if status < 0 {
            conn.close(wake: false)
            fiber.wake(serial: serial) { lua in UVError.fail(lua, UVError.name(status)) }
            return
        }
        let vm = conn.vm, c = conn
        fiber.wake(serial: serial) { lua in
            HandleBox.push(vm, c, SocketModule.connMetatable, onto: lua)
            return 1
        }
    }
}

private let connectCallback: uv_connect_cb = { req, status in
    let op = Unmanaged<ConnectOperation>.fromOpaque(req!.pointee.data).takeRetainedValue()
    req!.deallocate()
    op.finish(status)
}

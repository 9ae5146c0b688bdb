import CLibUV

/// `socket.connect`: the Swift half takes a literal address or a Unix path
/// (names were resolved by the Lua side).
extension SocketModule {
    // connect(host, port, timeout?) / connect("unix", path, timeout?) -> conn | nil, err
    //   timeout: seconds (0 or nil: none); on expiry nil, "timeout" and the attempt is abandoned.
    static let connect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let host = try lua.checkString(1, "socket.connect", "host")
            let timeout = try SocketTimeout.optional(lua, 3, "socket.connect", "opts.timeout") ?? 0
            if host == "unix" || host.contains("/") {
                let path = host == "unix" ? try lua.checkString(2, "socket.connect", "path") : host
                let fiber = try vm.suspendingFiber("socket.connect")
                if let n = fiber.takeInterruption(lua) { return n }
                let c = SocketConnection(vm: vm, tcp: false)
                guard case .pipe(let pipe) = c.handle else { preconditionFailure("a Unix connection has a pipe") }
                let op = connectOperation(fiber)
                _ = op.start { req in uv_pipe_connect(req, pipe.pointer, path, connectCallback); return 0 }
                if timeout > 0 { c.setConnectDeadline(op, timeout) }
                return vm.yield(lua)
            }
            let port = try lua.checkInteger(2, "socket.connect", "port")
            guard (1...65535).contains(port) else {
                throw LuaError("socket.connect: bad argument #2 'port' (1..65535 expected, got \(port))")
            }
            let fiber = try vm.suspendingFiber("socket.connect")
            if let n = fiber.takeInterruption(lua) { return n }
            let c = SocketConnection(vm: vm, tcp: true)
            guard case .tcp(let tcp) = c.handle else { preconditionFailure("a TCP connection has a TCP handle") }
            guard var addr = SocketAddress.parse(host, port) else { c.close(); return lua.pushFailure("EINVAL") }
            let op = connectOperation(fiber)
            let e = withUnsafePointer(to: &addr) { p in
                let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                return op.start { req in uv_tcp_connect(req, tcp.pointer, sa, connectCallback) }
            }
            if let e { c.close(); return lua.pushFailure(uvErrorName(e)) }
            if timeout > 0 { c.setConnectDeadline(op, timeout) }
            return vm.yield(lua)
        }
    }

    /// A connect request: giving up the wait (interruption, VM end) closes
    /// the connection (the request's stream, set by libuv when submitted),
    /// which libuv then completes as cancelled. The closure captures nothing,
    /// so a connect costs no allocation beyond the operation.
    private static func connectOperation(_ fiber: Fiber) -> PendingOperation<uv_connect_t> {
        let op = PendingOperation<uv_connect_t>(fiber: fiber)
        op.onCancel = { op in
            StreamSocket.owner(of: op.request.pointee.handle, as: SocketConnection.self)?.close(wake: false)
        }
        return op
    }
}

/// The connect finished: wake the caller with the connection, or close it and
/// wake with nil, err. The connection is the request's stream's owner (none
/// once closed).
private let connectCallback: uv_connect_cb = { req, status in
    let op = PendingOperation<uv_connect_t>.completed(req)
    let conn = StreamSocket.owner(of: req!.pointee.handle, as: SocketConnection.self)
    conn?.endConnect()
    guard let conn, status >= 0, !op.isCancelled else {
        conn?.close(wake: false)
        op.wake { lua in lua.pushFailure(uvErrorName(status < 0 ? status : UV_ECANCELED.rawValue)) }
        return
    }
    op.wake { lua in
        conn.vm.pushBoxed(conn, SocketModule.connMetatable, onto: lua)
        return 1
    }
}

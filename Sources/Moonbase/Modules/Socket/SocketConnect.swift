import CLibUV

/// `socket.connect`: the Swift half takes a literal address or a Unix path
/// (names were resolved by the Lua side).
extension SocketModule {
    // connect(host, port) / connect("unix", path) -> conn | nil, err
    static let connect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let host = try lua.checkString(1, "socket.connect", "host")
            if host == "unix" || host.contains("/") {
                let path = host == "unix" ? try lua.checkString(2, "socket.connect", "path") : host
                let fiber = try vm.suspendingFiber("socket.connect")
                if let n = fiber.takeInterruption(lua) { return n }
                let pipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
                uv_pipe_init(vm.worker.loop, pipe, 0)
                let c = SocketConnection(vm: vm, handle: UnsafeMutableRawPointer(pipe), tcp: false)
                let op = ConnectOperation(conn: c, fiber: fiber)
                _ = op.start { req, callback in uv_pipe_connect(req, pipe, path, callback); return 0 }
                op.serial = fiber.suspend(on: op, external: true)
                return vm.yield(lua)
            }
            let port = try lua.checkInteger(2, "socket.connect", "port")
            guard (1...65535).contains(port) else {
                throw LuaError("socket.connect: bad argument #2 'port' (1..65535 expected, got \(port))")
            }
            let fiber = try vm.suspendingFiber("socket.connect")
            if let n = fiber.takeInterruption(lua) { return n }
            let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
            uv_tcp_init(vm.worker.loop, tcp)
            let c = SocketConnection(vm: vm, handle: UnsafeMutableRawPointer(tcp), tcp: true)
            let op = ConnectOperation(conn: c, fiber: fiber)
            guard var addr = SocketAddress.parse(host, port) else { c.close(); return UVError.fail(lua, "EINVAL") }
            let r = withUnsafePointer(to: &addr) { p in
                let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                return op.start { req, callback in uv_tcp_connect(req, tcp, sa, callback) }
            }
            if r < 0 { c.close(); return UVError.fail(lua, UVError.name(r)) }
            op.serial = fiber.suspend(on: op, external: true)
            return vm.yield(lua)
        }
    }
}

import CLibUV

/// A pending `uv_udp_send`.
typealias UDPSendOp = PendingSend<uv_udp_send_t>

/// `udp.send` and `udp.recv`.
extension UDPModule {
    // send(socket, host, port, data) -> true | nil, err
    static let send: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let u = try socket(lua, vm, "udp.send")
            let host = try lua.checkString(2, "udp.send", "host")
            let port = try lua.checkInteger(3, "udp.send", "port")
            let data = try lua.checkBytes(4, "udp.send", "data")
            if u.closed { return UVError.fail(lua, "closed") }
            guard var addr = SocketAddress.parse(host, port) else { return UVError.fail(lua, "EINVAL") }
            var b = uv_buf_init(UnsafeMutableRawPointer(mutating: data.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                                    .assumingMemoryBound(to: CChar.self), UInt32(data.count))
            let r = withUnsafePointer(to: &addr) {
                uv_udp_try_send(u.handle, &b, 1, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self))
            }
            if r >= 0 { lua.push(true); return 1 }
            if r != UV_EAGAIN.rawValue { return UVError.fail(lua, UVError.name(r)) }
            // Kernel buffer full: queue with uv_udp_send and wait.
            let fiber = try vm.suspendingFiber("udp.send")
            if let n = fiber.takeInterruption(lua) { return n }
            let op = UDPSendOp(fiber: fiber, bytes: data)
            let handle = u.handle
            let s = withUnsafePointer(to: &addr) { p in
                let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                return op.start { req, buf in uv_udp_send(req, handle, buf, 1, sa, udpSendCallback) }
            }
            if s < 0 { return UVError.fail(lua, UVError.name(s)) }
            op.serial = fiber.suspend(on: op, external: true)
            return vm.yield(lua)
        }
    }

    // recv(socket) -> data, host, port | nil, err
    static let recv: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let u = try socket(lua, vm, "udp.recv")
            if u.closed { return UVError.fail(lua, "closed") }
            if !u.queue.isEmpty { return u.pushDatagram(u.queue.removeFirst(), lua) }
            let fiber = try vm.suspendingFiber("udp.recv")
            if let n = fiber.takeInterruption(lua) { return n }
            if u.waiter != nil { throw LuaError("udp.recv: another fiber is already receiving on this socket") }
            let r = u.startReceiving()
            if r < 0 { return UVError.fail(lua, UVError.name(r)) }
            u.waiter = fiber
            u.serial = fiber.suspend(on: u, external: true)
            return vm.yield(lua)
        }
    }
}

private let udpSendCallback: uv_udp_send_cb = { req, status in
    UDPSendOp.complete(req!, status: status)
}

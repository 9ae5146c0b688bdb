import CLibUV

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
            if u.closed { return lua.pushFailure("closed") }
            guard var addr = SocketAddress.parse(host, port) else { return lua.pushFailure("EINVAL") }
            var b = uv_buf_init(UnsafeMutableRawPointer(mutating: data.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                                    .assumingMemoryBound(to: CChar.self), UInt32(data.count))
            let r = withUnsafePointer(to: &addr) {
                uv_udp_try_send(u.handle.pointer, &b, 1, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self))
            }
            if r >= 0 { lua.push(true); return 1 }
            if r != UV_EAGAIN.rawValue { return lua.pushFailure(uvErrorName(r)) }
            // Kernel buffer full: queue a copy of the datagram with uv_udp_send
            // and wait (libuv copies the buf array and the address itself).
            let fiber = try vm.suspendingFiber("udp.send")
            if let n = fiber.takeInterruption(lua) { return n }
            let op = PendingOperation<uv_udp_send_t>(fiber: fiber)
            guard let copy = op.keep(copyOf: data) else { return lua.pushFailure(RawMemory.failure) }
            var buf = uv_buf_init(copy.assumingMemoryBound(to: CChar.self), UInt32(data.count))
            let handle = u.handle.pointer
            let failure = withUnsafePointer(to: &addr) { p in
                let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                return op.start { req in uv_udp_send(req, handle, &buf, 1, sa, udpSendCallback) }
            }
            if let e = failure { return lua.pushFailure(uvErrorName(e)) }
            return vm.yield(lua)
        }
    }

    // recv(socket) -> data, host, port | nil, err
    static let recv: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let u = try socket(lua, vm, "udp.recv")
            if u.closed { return lua.pushFailure("closed") }
            if !u.queue.isEmpty { return u.pushDatagram(u.queue.removeFirst(), lua) }
            let fiber = try vm.suspendingFiber("udp.recv")
            if let n = fiber.takeInterruption(lua) { return n }
            if !u.receiver.isEmpty { throw LuaError("udp.recv: another fiber is already receiving on this socket") }
            let r = u.startReceiving()
            if r < 0 { return lua.pushFailure(uvErrorName(r)) }
            u.receiver.park(fiber, on: u)
            return vm.yield(lua)
        }
    }
}

private let udpSendCallback: uv_udp_send_cb = { req, status in
    PendingOperation<uv_udp_send_t>.completed(req).wake { lua in
        if status < 0 { return lua.pushFailure(uvErrorName(status)) }
        lua.push(true)
        return 1
    }
}

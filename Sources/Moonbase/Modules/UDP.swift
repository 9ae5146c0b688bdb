import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// `require 'udp'`: bind, send, recv, close. Datagrams that arrive while no
/// fiber waits are queued (at most `maxQueue`; beyond that they are dropped,
/// as the kernel would).
enum UDPModule {
    static let metatable = MetatableName("moonbase.udp")

    static let definition = LuaModule(name: "udp", functions: [
        ("init", initModule),
        ("bind", bind),
        ("send", send),
        ("recv", recv),
    ], source: """
        local raw, rt = ...
        require 'socket'
        local sraw = rt.socket_raw
        local S = rt.suspending
        local mt = { __name = 'udp.socket' }
        raw.init(mt)
        local resolve, is_name = S(sraw.resolve), rt.host_is_name
        local send = S(raw.send)
        local udp = { recv = S(raw.recv), close = sraw.close, getsockname = sraw.getsockname }
        -- A host name is resolved first and its first address used.
        function udp.bind(host, port)
          if is_name(host) then
            local addresses, err = resolve(host)
            if not addresses then return nil, err end
            host = addresses[1]
          end
          return raw.bind(host, port)
        end
        function udp.send(sock, host, port, data)
          if is_name(host) then
            local addresses, err = resolve(host)
            if not addresses then return nil, err end
            host = addresses[1]
          end
          return send(sock, host, port, data)
        end
        mt.__index = { send = udp.send, recv = udp.recv, close = udp.close, getsockname = udp.getsockname }
        mt.__gc = sraw.gc
        mt.__tostring = function() return 'udp.socket' end
        return udp
        """)

    static let initModule: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            lua.pushValue(1)
            vm.metatables[metatable] = luaL_ref(lua.L, mb_registryindex())
            return 0
        }
    }

    static func socket(_ lua: LuaState, _ vm: VM, _ function: String) throws(LuaError) -> UDPSocket {
        guard let u = SocketModule.object(lua, vm, 1, metatable, as: UDPSocket.self) else {
            throw .badArgument(function, 1, "socket", expected: "udp socket", got: lua.typeName(at: 1))
        }
        return u
    }

    // bind(host, port) -> socket | nil, err
    static let bind: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let host = try lua.checkString(1, "udp.bind", "host")
            let port = try lua.checkInteger(2, "udp.bind", "port")
            guard (0...65535).contains(port) else {
                throw LuaError("udp.bind: bad argument #2 'port' (0..65535 expected, got \(port))")
            }
            guard var addr = SocketModule.literalAddress(host, port) else { return SocketModule.fail(lua, "EINVAL") }
            let h = UnsafeMutablePointer<uv_udp_t>.allocate(capacity: 1)
            uv_udp_init(vm.worker.loop, h)
            let u = UDPSocket(vm: vm, handle: h)
            let r = withUnsafePointer(to: &addr) { uv_udp_bind(h, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), 0) }
            if r < 0 { u.close(); return SocketModule.fail(lua, SocketModule.errName(r)) }
            SocketModule.pushObject(vm, u, metatable, onto: lua)
            return 1
        }
    }

    // send(socket, host, port, data) -> true | nil, err
    static let send: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let u = try socket(lua, vm, "udp.send")
            let host = try lua.checkString(2, "udp.send", "host")
            let port = try lua.checkInteger(3, "udp.send", "port")
            let data = try lua.checkBytes(4, "udp.send", "data")
            if u.closed { return SocketModule.fail(lua, "closed") }
            guard var addr = SocketModule.literalAddress(host, port) else { return SocketModule.fail(lua, "EINVAL") }
            var b = uv_buf_init(UnsafeMutableRawPointer(mutating: data.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                                    .assumingMemoryBound(to: CChar.self), UInt32(data.count))
            let r = withUnsafePointer(to: &addr) {
                uv_udp_try_send(u.handle, &b, 1, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self))
            }
            if r >= 0 { lua.push(true); return 1 }
            if r != UV_EAGAIN.rawValue { return SocketModule.fail(lua, SocketModule.errName(r)) }
            // Kernel buffer full: queue with uv_udp_send and wait.
            let fiber = try vm.suspendingFiber("udp.send")
            if let n = fiber.takeInterruption(lua) { return n }
            let op = UDPSendOp(fiber: fiber, bytes: data)
            var wb = uv_buf_init(op.data.assumingMemoryBound(to: CChar.self), UInt32(op.count))
            op.req.pointee.data = Unmanaged.passRetained(op).toOpaque()
            let s = withUnsafePointer(to: &addr) {
                uv_udp_send(op.req, u.handle, &wb, 1, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), udpSendCallback)
            }
            if s < 0 {
                Unmanaged<UDPSendOp>.fromOpaque(op.req.pointee.data).release()
                return SocketModule.fail(lua, SocketModule.errName(s))
            }
            op.serial = fiber.suspend(on: op, external: true)
            return vm.yield(lua)
        }
    }

    // recv(socket) -> data, host, port | nil, err
    static let recv: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let u = try socket(lua, vm, "udp.recv")
            if u.closed { return SocketModule.fail(lua, "closed") }
            if !u.queue.isEmpty { return u.pushDatagram(u.queue.removeFirst(), lua) }
            let fiber = try vm.suspendingFiber("udp.recv")
            if let n = fiber.takeInterruption(lua) { return n }
            if u.waiter != nil { throw LuaError("udp.recv: another fiber is already receiving on this socket") }
            if !u.receiving {
                let r = uv_udp_recv_start(u.handle, udpAllocCallback, udpRecvCallback)
                if r < 0 { return SocketModule.fail(lua, SocketModule.errName(r)) }
                u.receiving = true
            }
            u.waiter = fiber
            u.serial = fiber.suspend(on: u, external: true)
            return vm.yield(lua)
        }
    }
}

final class UDPSocket: VMResource, FiberWait {
    struct Datagram {
        let data: [UInt8]
        let addr: sockaddr_storage
    }
    static let maxQueue = 1024

    let vm: VM
    let handle: UnsafeMutablePointer<uv_udp_t>
    var closed = false
    var receiving = false
    var queue: [Datagram] = []
    var waiter: Fiber?
    var serial: UInt64 = 0

    init(vm: VM, handle: UnsafeMutablePointer<uv_udp_t>) {
        self.vm = vm
        self.handle = handle
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        vm.register(self)
    }

    func close() { close(wake: true) }

    func close(wake: Bool) {
        guard !closed else { return }
        closed = true
        vm.unregister(self)
        handle.pointee.data = nil
        uv_close(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self), freeHandleCallback)
        queue.removeAll()
        if wake, let f = waiter {
            waiter = nil
            f.wake(serial: serial) { lua in SocketModule.fail(lua, "closed") }
        }
    }

    func release() {
        waiter = nil
        close(wake: false)
    }

    func cancelWait(of fiber: Fiber) {
        if waiter === fiber { waiter = nil }
    }

    func pushDatagram(_ d: Datagram, _ lua: LuaState) -> Int32 {
        d.data.withUnsafeBytes { lua.push(bytes: $0) }
        var a = d.addr
        return 1 + withUnsafePointer(to: &a) { SocketModule.pushAddress(lua, UnsafeRawPointer($0)) }
    }

    func pushSockname(_ lua: LuaState) -> Int32 {
        if closed { return SocketModule.fail(lua, "closed") }
        var st = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) { p in
            uv_udp_getsockname(handle, UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self), &len)
        }
        if r < 0 { return SocketModule.fail(lua, SocketModule.errName(r)) }
        return withUnsafePointer(to: &st) { SocketModule.pushAddress(lua, UnsafeRawPointer($0)) }
    }

    fileprivate func onRecv(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?, _ addr: UnsafePointer<sockaddr>?) {
        defer { free(buf?.pointee.base) }
        guard let addr else { return }  // nothing more to read now
        if nread < 0 {
            if let f = waiter {
                waiter = nil
                f.wake(serial: serial) { lua in SocketModule.fail(lua, SocketModule.errName(Int32(nread))) }
            }
            return
        }
        var st = sockaddr_storage()
        let len = Int32(addr.pointee.sa_family) == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        memcpy(&st, addr, len)
        let bytes = nread > 0 ? Array(UnsafeRawBufferPointer(start: buf!.pointee.base, count: nread)) : []
        let d = Datagram(data: bytes, addr: st)
        if let f = waiter {
            waiter = nil
            f.wake(serial: serial) { lua in pushDatagram(d, lua) }
        } else if queue.count < UDPSocket.maxQueue {
            queue.append(d)
        }
    }
}

/// A pending `uv_udp_send`.
typealias UDPSendOp = PendingSend<uv_udp_send_t>

private let udpSendCallback: uv_udp_send_cb = { req, status in
    Unmanaged<UDPSendOp>.fromOpaque(req!.pointee.data).takeRetainedValue().complete(status: status)
}

private let udpAllocCallback: uv_alloc_cb = { _, _, buf in
    buf!.pointee.base = malloc(65536)!.assumingMemoryBound(to: CChar.self)
    buf!.pointee.len = 65536
}

private let udpRecvCallback: uv_udp_recv_cb = { handle, nread, buf, addr, _ in
    guard let data = handle?.pointee.data else { free(buf?.pointee.base); return }
    Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue().onRecv(nread, buf, addr)
}

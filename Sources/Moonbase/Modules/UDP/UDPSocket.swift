import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A bound UDP socket. Datagrams that arrive while no fiber waits in `recv`
/// are queued (at most `maxQueue`; beyond that they are dropped, as the
/// kernel would).
final class UDPSocket: VMResource, FiberWait, BoxedHandle {
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

    /// The handle's `data` points (unretained) at this object until `close`;
    /// the VM holds it meanwhile (`vm.register`).
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
            f.wake(serial: serial) { lua in UVError.fail(lua, "closed") }
        }
    }

    func release() {
        waiter = nil
        close(wake: false)
    }

    func cancelWait(of fiber: Fiber) {
        if waiter === fiber { waiter = nil }
    }

    /// Starts receiving into the queue (once); negative status on failure.
    func startReceiving() -> Int32 {
        guard !receiving else { return 0 }
        let r = uv_udp_recv_start(handle, udpAllocCallback, udpRecvCallback)
        if r >= 0 { receiving = true }
        return r
    }

    func pushDatagram(_ d: Datagram, _ lua: LuaState) -> Int32 {
        d.data.withUnsafeBytes { lua.push(bytes: $0) }
        var a = d.addr
        return 1 + withUnsafePointer(to: &a) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }

    func pushSockname(_ lua: LuaState) -> Int32 {
        if closed { return UVError.fail(lua, "closed") }
        var st = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) { p in
            uv_udp_getsockname(handle, UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self), &len)
        }
        if r < 0 { return UVError.fail(lua, UVError.name(r)) }
        return withUnsafePointer(to: &st) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }

    fileprivate func onRecv(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?, _ addr: UnsafePointer<sockaddr>?) {
        defer { free(buf?.pointee.base) }
        guard let addr else { return }  // nothing more to read now
        if nread < 0 {
            if let f = waiter {
                waiter = nil
                f.wake(serial: serial) { lua in UVError.fail(lua, UVError.name(Int32(nread))) }
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

private let udpAllocCallback: uv_alloc_cb = { _, _, buf in
    buf!.pointee.base = malloc(65536)!.assumingMemoryBound(to: CChar.self)
    buf!.pointee.len = 65536
}

private let udpRecvCallback: uv_udp_recv_cb = { handle, nread, buf, addr, _ in
    guard let data = handle?.pointee.data else { free(buf?.pointee.base); return }
    Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue().onRecv(nread, buf, addr)
}

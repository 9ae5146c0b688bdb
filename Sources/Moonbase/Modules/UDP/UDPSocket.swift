import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A bound UDP socket. Datagrams that arrive while no fiber waits in `recv`
/// are queued (at most `maxQueue`; beyond that they are dropped, as the
/// kernel would).
final class UDPSocket: VMResource, FiberWait {
    struct Datagram {
        let data: [UInt8]
        let addr: sockaddr_storage
    }
    static let maxQueue = 1024

    let vm: VM
    let handle = UVHandle<uv_udp_t>()
    var closed = false
    var receiving = false
    var queue: [Datagram] = []
    /// The fiber waiting in `recv` (one at a time).
    var receiver = WaitingFiber()

    /// The VM holds the socket (`vm.register`) until `close`.
    init(vm: VM) {
        self.vm = vm
        uv_udp_init(vm.worker.loop, handle.pointer)
        handle.setOwner(self)
        vm.register(self)
    }

    func close() { close(wake: true) }

    func close(wake: Bool) {
        guard !closed else { return }
        closed = true
        vm.unregister(self)
        handle.close()
        queue.removeAll()
        if wake { receiver.wake { lua in lua.pushFailure("closed") } }
    }

    func release() {
        receiver.clear()
        close(wake: false)
    }

    func cancelWait(of fiber: Fiber) { receiver.cancel(fiber) }

    /// Starts receiving into the queue (once); negative status on failure.
    func startReceiving() -> Int32 {
        guard !receiving else { return 0 }
        let r = uv_udp_recv_start(handle.pointer, udpAllocCallback, udpRecvCallback)
        if r >= 0 { receiving = true }
        return r
    }

    func pushDatagram(_ d: Datagram, _ lua: LuaState) -> Int32 {
        d.data.withUnsafeBytes { lua.push(bytes: $0) }
        var a = d.addr
        return 1 + withUnsafePointer(to: &a) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }

    func pushSockname(_ lua: LuaState) -> Int32 {
        if closed { return lua.pushFailure("closed") }
        var st = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) { p in
            uv_udp_getsockname(handle.pointer, UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self), &len)
        }
        if r < 0 { return lua.pushFailure(uvErrorName(r)) }
        return withUnsafePointer(to: &st) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }

    fileprivate func onRecv(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?, _ addr: UnsafePointer<sockaddr>?) {
        defer { free(buf?.pointee.base) }
        guard let addr else { return }  // nothing more to read now
        if nread < 0 {
            receiver.wake { lua in lua.pushFailure(uvErrorName(Int32(nread))) }
            return
        }
        var st = sockaddr_storage()
        let len = Int32(addr.pointee.sa_family) == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        memcpy(&st, addr, len)
        let bytes = nread > 0 ? Array(UnsafeRawBufferPointer(start: buf!.pointee.base, count: nread)) : []
        let d = Datagram(data: bytes, addr: st)
        if !receiver.isEmpty {
            receiver.wake { lua in pushDatagram(d, lua) }
        } else if queue.count < UDPSocket.maxQueue {
            queue.append(d)
        }
    }
}

private let udpAllocCallback: uv_alloc_cb = { _, _, buf in
    // No memory: an empty buffer, which libuv reports to the read callback as ENOBUFS.
    let base = RawMemory.allocate(65536)
    buf!.pointee.base = base?.assumingMemoryBound(to: CChar.self)
    buf!.pointee.len = base == nil ? 0 : 65536
}

private let udpRecvCallback: uv_udp_recv_cb = { handle, nread, buf, addr, _ in
    guard let socket = UVHandle.owner(of: handle, as: UDPSocket.self) else { free(buf?.pointee.base); return }
    socket.onRecv(nread, buf, addr)
}

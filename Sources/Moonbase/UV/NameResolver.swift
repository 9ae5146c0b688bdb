import CLibUV
import CLuaJIT
#if canImport(Glibc)
import Glibc
#endif

/// Host names for `socket` and `udp`: `uv_getaddrinfo` runs on libuv's thread
/// pool, so only the calling fiber waits. The Lua side of each module resolves
/// a name first and hands the literal addresses to listen/connect/bind/send,
/// which take only literals.
enum NameResolver {
    // literal(host) -> bool: whether `host` needs no resolution.
    static func literal(_ lua: LuaState, _ function: String) throws(LuaError) -> Int32 {
        let host = try lua.checkString(1, function, "host")
        lua.push(SocketAddress.parse(host, 0) != nil)
        return 1
    }

    // resolve(host) -> { address, ... } | nil, err: the addresses in the order
    // getaddrinfo gives them (its preference), without repeats.
    static func resolve(_ lua: LuaState, _ function: String) throws(LuaError) -> Int32 {
        let vm = VM.from(lua)
        let host = try lua.checkString(1, function, "host")
        let fiber = try vm.suspendingFiber(function)
        if let n = fiber.takeInterruption(lua) { return n }
        let op = ResolveOp(fiber: fiber)
        let r = op.start(vm.worker.loop, host)
        if r < 0 { return UVError.fail(lua, UVError.name(r)) }
        op.serial = fiber.suspend(on: op, external: true)
        return vm.yield(lua)
    }
}

/// A name lookup in flight. The request stays allocated until libuv calls back,
/// also when the fiber was interrupted meanwhile (its result is then dropped).
final class ResolveOp: FiberWait {
    let fiber: Fiber
    var serial: UInt64 = 0
    var cancelled = false
    let req = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)

    init(fiber: Fiber) { self.fiber = fiber }
    deinit { req.deallocate() }

    /// Starts the lookup; the request holds a reference to this object until
    /// `resolveCallback` takes it back. Negative: nothing pending.
    func start(_ loop: UnsafeMutablePointer<uv_loop_t>, _ host: String) -> Int32 {
        req.pointee.data = Unmanaged.passRetained(self).toOpaque()
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)  // one entry per address
        let r = uv_getaddrinfo(loop, req, resolveCallback, host, nil, &hints)
        if r < 0 { Unmanaged<ResolveOp>.fromOpaque(req.pointee.data).release() }
        return r
    }

    func cancelWait(of fiber: Fiber) {
        cancelled = true
        uv_cancel(UnsafeMutableRawPointer(req).assumingMemoryBound(to: uv_req_t.self))
    }

    fileprivate func finish(status: Int32, _ res: UnsafeMutablePointer<addrinfo>?) {
        if cancelled { return }
        var addresses: [String] = []
        var ai = status == 0 ? res : nil
        while let entry = ai {
            if let sa = entry.pointee.ai_addr, let text = SocketAddress.text(sa), !addresses.contains(text) {
                addresses.append(text)
            }
            ai = entry.pointee.ai_next
        }
        fiber.wake(serial: serial) { lua in
            if status < 0 { return UVError.fail(lua, UVError.name(status)) }
            if addresses.isEmpty { return UVError.fail(lua, "EAI_NONAME") }
            lua_createtable(lua.L, Int32(addresses.count), 0)
            for (i, a) in addresses.enumerated() {
                lua.push(a)
                lua_rawseti(lua.L, -2, Int32(i + 1))
            }
            return 1
        }
    }
}

private let resolveCallback: uv_getaddrinfo_cb = { req, status, res in
    let op = Unmanaged<ResolveOp>.fromOpaque(req!.pointee.data).takeRetainedValue()
    defer { if let res { uv_freeaddrinfo(res) } }
    op.finish(status: status, res)
}

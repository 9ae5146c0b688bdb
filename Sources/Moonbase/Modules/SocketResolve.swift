import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// Host names for `socket` and `udp`: `uv_getaddrinfo` runs on libuv's thread
/// pool, so only the calling fiber waits. The Lua side resolves a name first and
/// hands the literal addresses to listen/connect/bind/send, which take only
/// literals.
extension SocketModule {
    // literal(host) -> bool: whether `host` needs no resolution.
    static let literal: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let host = try lua.checkString(1, "socket.resolve", "host")
            lua.push(literalAddress(host, 0) != nil)
            return 1
        }
    }

    // resolve(host) -> { address, ... } | nil, err: the addresses in the order
    // getaddrinfo gives them (its preference), without repeats.
    static let resolve: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let host = try lua.checkString(1, "socket.resolve", "host")
            let fiber = try vm.suspendingFiber("socket.resolve")
            if let n = fiber.takeInterruption(lua) { return n }
            let op = ResolveOp(fiber: fiber)
            op.req.pointee.data = Unmanaged.passRetained(op).toOpaque()
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)  // one entry per address
            let r = uv_getaddrinfo(vm.worker.loop, op.req, resolveCallback, host, nil, &hints)
            if r < 0 {
                Unmanaged<ResolveOp>.fromOpaque(op.req.pointee.data).release()
                return fail(lua, errName(r))
            }
            op.serial = fiber.suspend(on: op, external: true)
            return vm.yield(lua)
        }
    }

    /// The text form of an IPv4 or IPv6 socket address.
    static func addressText(_ addr: UnsafePointer<sockaddr>) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        switch Int32(addr.pointee.sa_family) {
        case AF_INET:
            UnsafeRawPointer(addr).withMemoryRebound(to: sockaddr_in.self, capacity: 1) { _ = uv_ip4_name($0, &name, name.count) }
        case AF_INET6:
            UnsafeRawPointer(addr).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { _ = uv_ip6_name($0, &name, name.count) }
        default:
            return nil
        }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

    func cancelWait(of fiber: Fiber) {
        cancelled = true
        uv_cancel(UnsafeMutableRawPointer(req).assumingMemoryBound(to: uv_req_t.self))
    }
}

private let resolveCallback: uv_getaddrinfo_cb = { req, status, res in
    let op = Unmanaged<ResolveOp>.fromOpaque(req!.pointee.data).takeRetainedValue()
    defer { if let res { uv_freeaddrinfo(res) } }
    if op.cancelled { return }
    var addresses: [String] = []
    var ai = status == 0 ? res : nil
    while let entry = ai {
        if let sa = entry.pointee.ai_addr, let text = SocketModule.addressText(sa), !addresses.contains(text) {
            addresses.append(text)
        }
        ai = entry.pointee.ai_next
    }
    op.fiber.wake(serial: op.serial) { lua in
        if status < 0 { return SocketModule.fail(lua, SocketModule.errName(status)) }
        if addresses.isEmpty { return SocketModule.fail(lua, "EAI_NONAME") }
        lua_createtable(lua.L, Int32(addresses.count), 0)
        for (i, a) in addresses.enumerated() {
            lua.push(a)
            lua_rawseti(lua.L, -2, Int32(i + 1))
        }
        return 1
    }
}

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
    // getaddrinfo gives them (its preference), without repeats. The request
    // stays allocated until libuv calls back, also when the fiber was
    // interrupted meanwhile (its result is then dropped).
    static func resolve(_ lua: LuaState, _ function: String) throws(LuaError) -> Int32 {
        let vm = VM.from(lua)
        let host = try lua.checkString(1, function, "host")
        let fiber = try vm.suspendingFiber(function)
        if let n = fiber.takeInterruption(lua) { return n }
        let op = PendingOperation<uv_getaddrinfo_t>(fiber: fiber)
        op.onCancel = { op in
            uv_cancel(UnsafeMutableRawPointer(op.request).assumingMemoryBound(to: uv_req_t.self))
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)  // one entry per address
        let loop = vm.worker.loop
        if let e = op.start({ req in uv_getaddrinfo(loop, req, resolveCallback, host, nil, &hints) }) {
            return lua.pushFailure(uvErrorName(e))
        }
        return vm.yield(lua)
    }
}

private let resolveCallback: uv_getaddrinfo_cb = { req, status, res in
    let op = PendingOperation<uv_getaddrinfo_t>.completed(req)
    defer { if let res { uv_freeaddrinfo(res) } }
    if op.isCancelled { return }
    var addresses: [String] = []
    var ai = status == 0 ? res : nil
    while let entry = ai {
        if let sa = entry.pointee.ai_addr, let text = SocketAddress.text(sa), !addresses.contains(text) {
            addresses.append(text)
        }
        ai = entry.pointee.ai_next
    }
    op.wake { lua in
        if status < 0 { return lua.pushFailure(uvErrorName(status)) }
        if addresses.isEmpty { return lua.pushFailure("EAI_NONAME") }
        lua_createtable(lua.L, Int32(addresses.count), 0)
        for (i, a) in addresses.enumerated() {
            lua.push(a)
            lua_rawseti(lua.L, -2, Int32(i + 1))
        }
        return 1
    }
}

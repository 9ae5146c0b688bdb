import CLibUV
import CLuaJIT
import CMoonbaseShim

/// `require 'udp'`: bind, send, recv, close. Datagrams that arrive while no
/// fiber waits are queued (see `UDPSocket`).
enum UDPModule {
    static let metatable = MetatableName("moonbase.udp")

    static let definition = LuaModule(name: "udp", functions: [
        ("init", initModule),
        ("bind", bind),
        ("send", send),
        ("recv", recv),
        ("close", close),
        ("gc", collect),
        ("getsockname", getsockname),
        ("literal", literal),
        ("resolve", resolve),
    ], lua: "udp")

    // init(mt): registers the metatable (made in Lua) of this VM.
    static let initModule: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            vm.registerMetatable(metatable, at: 1, on: lua)
            return 0
        }
    }

    // __gc: closes the socket and drops the box's reference.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).takeBoxed(lua, 1, metatable, as: UDPSocket.self)?.object.close()
            return 0
        }
    }

    /// The UDP socket at argument 1, or a bad-argument error naming `function`.
    static func socket(_ lua: LuaState, _ vm: VM, _ function: String) throws(LuaError) -> UDPSocket {
        guard let u = vm.boxed(lua, 1, metatable, as: UDPSocket.self) else {
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
            guard var addr = SocketAddress.parse(host, port) else { return lua.pushFailure("EINVAL") }
            let u = UDPSocket(vm: vm)
            let r = withUnsafePointer(to: &addr) {
                uv_udp_bind(u.handle.pointer, UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self), 0)
            }
            if r < 0 { u.close(); return lua.pushFailure(uvErrorName(r)) }
            vm.pushBoxed(u, metatable, onto: lua)
            return 1
        }
    }

    // close(socket): closes it (idempotent); returns true.
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try socket(lua, vm, "udp.close").close()
            lua.push(true)
            return 1
        }
    }

    // getsockname(socket) -> host, port | nil, err
    static let getsockname: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            return try socket(lua, vm, "udp.getsockname").pushSockname(lua)
        }
    }

    // literal(host) -> bool and resolve(host) -> { address, ... } | nil, err
    static let literal: LuaFunction = { L in luaEntry(L) { lua throws(LuaError) in try NameResolver.literal(lua, "udp.resolve") } }
    static let resolve: LuaFunction = { L in luaEntry(L) { lua throws(LuaError) in try NameResolver.resolve(lua, "udp.resolve") } }
}

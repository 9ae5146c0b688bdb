import CLuaJIT
import CMoonbaseShim

/// `require 'socket'`: TCP (IPv4/IPv6) and Unix stream sockets.
///
/// A connection (`SocketConnection`) buffers what it reads up to a ceiling and
/// wakes a fiber waiting in `read`, `read(n)` or `readline` as soon as its
/// request can be met; protocols layered on it (HTTP) read through a
/// `ConnectionParser`. Writes try `uv_try_write` first and fall back to
/// `uv_write` (the fiber waits for the completion: back-pressure).
enum SocketModule {
    static let connMetatable = MetatableName("moonbase.socket.conn")
    static let listenerMetatable = MetatableName("moonbase.socket.listener")
    static let defaultCeiling = 256 * 1024

    static let definition = LuaModule(name: "socket", functions: [
        ("init", initModule),
        ("listen", listen),
        ("accept", accept),
        ("connect", connect),
        ("read", read),
        ("readline", readline),
        ("write", write),
        ("close", close),
        ("gc", collect),
        ("getpeername", getpeername),
        ("getsockname", getsockname),
        ("setnodelay", setnodelay),
        ("setreadlimit", setreadlimit),
        ("settimeout", settimeout),
        ("literal", literal),
        ("resolve", resolve),
    ], lua: "socket")

    // init(conn_mt, listener_mt): registers the metatables of this VM.
    static let initModule: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            vm.registerMetatable(connMetatable, at: 1, on: lua)
            vm.registerMetatable(listenerMetatable, at: 2, on: lua)
            return 0
        }
    }

    // gc(h): the `__gc` of connections and listeners: closes the socket.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).takeBoxed(lua, 1, connMetatable, listenerMetatable, as: StreamSocket.self)?.object.close()
            return 0
        }
    }

    /// The connection at argument `i`, or a bad-argument error naming `function`
    /// (also for modules layered on socket, e.g. `http.read`).
    @inline(__always)
    static func connection(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> SocketConnection {
        guard let c = vm.boxed(lua, i, connMetatable, as: SocketConnection.self) else {
            throw .badArgument(function, i, "conn", expected: "socket connection", got: lua.typeName(at: i))
        }
        return c
    }

    static func listener(_ lua: LuaState, _ vm: VM, _ i: Int32) -> SocketListener? {
        vm.boxed(lua, i, listenerMetatable, as: SocketListener.self)
    }

    /// A connection or listener at argument `i`.
    static func stream(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> StreamSocket {
        if let c = vm.boxed(lua, i, connMetatable, as: SocketConnection.self) { return c }
        if let l = listener(lua, vm, i) { return l }
        throw .badArgument(function, i, "socket", expected: "socket", got: lua.typeName(at: i))
    }

    // close(h): closes a connection or listener (idempotent); returns true.
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try stream(lua, vm, 1, "socket.close").close()
            lua.push(true)
            return 1
        }
    }

    // literal(host) -> bool and resolve(host) -> { address, ... } | nil, err
    static let literal: LuaFunction = { L in luaEntry(L) { lua throws(LuaError) in try NameResolver.literal(lua, "socket.resolve") } }
    static let resolve: LuaFunction = { L in luaEntry(L) { lua throws(LuaError) in try NameResolver.resolve(lua, "socket.resolve") } }
}

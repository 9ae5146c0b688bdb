/// `socket.read`, `socket.readline` and `socket.write`.
extension SocketModule {
    // read(conn, n?) -> data | nil, err: the next bytes available, or exactly n bytes.
    static let read: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.read")
            if let n = try lua.optInteger(2, "socket.read", "n") {
                guard n >= 0 else { throw LuaError("socket.read: bad argument #2 'n' (integer >= 0 expected, got \(n))") }
                if n == 0 && !c.closed { lua.push(""); return 1 }
                return try c.read(lua, "socket.read", .exact(n))
            }
            return try c.read(lua, "socket.read", .some)
        }
    }

    // readline(conn) -> line (without its end-of-line) | nil, err
    static let readline: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.readline")
            return try c.read(lua, "socket.readline", .line)
        }
    }

    // write(conn, data) -> true | nil, err
    static let write: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.write")
            let data = try lua.checkBytes(2, "socket.write", "data")
            return try c.write(lua, data, "socket.write")
        }
    }
}

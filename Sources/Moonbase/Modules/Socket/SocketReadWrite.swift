/// `socket.read`, `socket.readline`, `socket.write` and `socket.settimeout`.
extension SocketModule {
    /// The most bytes one `read(n)` may ask for.
    static let maxRead = 1 << 31 - 1

    // read(conn, n?, timeout?) -> data | nil, err: the next bytes available, or exactly n bytes.
    static let read: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.read")
            let timeout = try SocketTimeout.optional(lua, 3, "socket.read", "timeout")
            if let n = try lua.optInteger(2, "socket.read", "n") {
                guard n >= 0, n <= maxRead else {
                    throw LuaError("socket.read: bad argument #2 'n' (integer from 0 to 2^31-1 expected, got \(n))")
                }
                if n == 0 && !c.closed { lua.push(""); return 1 }
                return try c.read(lua, "socket.read", .exact(n), timeout: timeout)
            }
            return try c.read(lua, "socket.read", .some, timeout: timeout)
        }
    }

    // readline(conn, timeout?) -> line (without its end-of-line) | nil, err
    static let readline: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.readline")
            let timeout = try SocketTimeout.optional(lua, 2, "socket.readline", "timeout")
            return try c.read(lua, "socket.readline", .line, timeout: timeout)
        }
    }

    // write(conn, data, timeout?) -> true | nil, err
    static let write: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.write")
            let data = try lua.checkBytes(2, "socket.write", "data")
            let timeout = try SocketTimeout.optional(lua, 3, "socket.write", "timeout")
            // The string itself waits with the write (no copy) when the kernel is slow.
            return try c.write(lua, head: UnsafeRawBufferPointer(start: nil, count: 0), body: data, stringAt: 2,
                               "socket.write", timeout: timeout)
        }
    }

    // settimeout(conn, seconds, which?): the timeout of reads and writes
    // ("read" or "write" alone) that name none; 0 or nil: none.
    static let settimeout: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.settimeout")
            let seconds = try SocketTimeout.optional(lua, 2, "socket.settimeout", "seconds") ?? 0
            let which = try lua.optString(3, "socket.settimeout", "which")
            switch which {
            case nil: c.readTimeout = seconds; c.writeTimeout = seconds
            case "read": c.readTimeout = seconds
            case "write": c.writeTimeout = seconds
            default:
                throw LuaError("socket.settimeout: bad argument #3 'which' (\"read\" or \"write\" expected, got \"\(which!)\")")
            }
            lua.push(true)
            return 1
        }
    }
}

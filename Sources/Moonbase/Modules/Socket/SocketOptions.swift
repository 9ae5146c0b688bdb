import CLibUV
import CLuaJIT

/// Connection options (`setnodelay`, `setreadlimit`) and the integer fields
/// of `listen`'s options table.
extension SocketModule {
    static let setnodelay: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.setnodelay")
            if c.closed { return lua.pushFailure("closed") }
            guard case .tcp(let tcp) = c.handle else { lua.push(true); return 1 }
            let r = uv_tcp_nodelay(tcp.pointer, lua.toBoolean(2) ? 1 : 0)
            if r < 0 { return lua.pushFailure(uvErrorName(r)) }
            lua.push(true)
            return 1
        }
    }

    // setreadlimit(conn, bytes): the ceiling of bytes buffered ahead of readers.
    static let setreadlimit: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.setreadlimit")
            let n = try lua.checkInteger(2, "socket.setreadlimit", "bytes")
            guard n >= 1, n <= maxLimit else {
                throw LuaError("socket.setreadlimit: bad argument #2 'bytes' (integer from 1 to 2^31-1 expected, got \(n))")
            }
            c.ceiling = n
            lua.push(true)
            return 1
        }
    }

    /// The largest backlog or read limit (they reach C as 32-bit integers).
    static let maxLimit = Int(Int32.max)

    /// An integer field of the options table at `opts` (nil when absent); a bad
    /// value raises naming the argument and the field.
    static func integerOption(_ lua: LuaState, _ opts: Int32, _ key: String, _ function: String,
                              atLeast least: Int, atMost most: Int = maxLimit) throws(LuaError) -> Int? {
        try lua.field(opts, key) { i throws(LuaError) -> Int? in
            if lua.isNoneOrNil(i) { return nil }
            let isNumber = lua_type(lua.L, i) == LUA_TNUMBER
            let n = isNumber ? lua.toNumber(i) : .nan
            guard n == n.rounded(), n >= Double(least), n <= Double(most) else {
                let got = !isNumber ? lua.typeName(at: i) : n == n.rounded() && abs(n) < 9.0e15 ? "\(Int(n))" : "\(n)"
                throw LuaError("\(function): bad argument #\(opts) 'opts.\(key)' (integer from \(least) to \(most == maxLimit ? "2^31-1" : "\(most)") expected, got \(got))")
            }
            return Int(n)
        }
    }
}

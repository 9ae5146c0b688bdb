import CMariaDB

/// `mysql.null` (SQL NULL in rows and parameters) and `mysql.escape`.
extension MySQLModule {
    /// `mysql.null`: a light userdata no other value can equal.
    static var null: UnsafeRawPointer { Sentinel.null }

    static let nullValue: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.pushLightUserdata(MySQLModule.null)
            return 1
        }
    }

    // escape(conn, s) -> escaped | nil, "closed"
    static let escape: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "mysql.escape")
            let s = try lua.checkBytes(2, "mysql.escape", "s")
            guard let c, c.usable, let m = c.mysql else { return lua.pushFailure("closed") }
            guard let raw = RawMemory.allocate(2 * s.count + 1) else { return lua.pushFailure(RawMemory.failure) }
            let out = raw.assumingMemoryBound(to: CChar.self)
            defer { RawMemory.free(raw) }
            // Lua strings always have a (NUL-terminated) buffer, also when empty.
            let n = mysql_real_escape_string(m, out, s.baseAddress!.assumingMemoryBound(to: CChar.self), UInt(s.count))
            lua.push(bytes: UnsafeRawBufferPointer(start: out, count: Int(n)))
            return 1
        }
    }
}

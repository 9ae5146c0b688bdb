import CLuaJIT
import CMoonbaseShim

/// A borrowed view of a `lua_State` with the small helpers Swift needs.
///
/// Only calls that cannot raise a Lua error belong here (raw table access,
/// pushes, type queries): Swift frames must never be unwound by `lua_error`.
/// See CONTRIBUTING.md, "Error safety".
public struct LuaState {
    public let L: OpaquePointer

    @inline(__always) public init(_ L: OpaquePointer) { self.L = L }

    @inline(__always) public var top: Int32 { lua_gettop(L) }
    @inline(__always) public func setTop(_ n: Int32) { lua_settop(L, n) }
    @inline(__always) public func pop(_ n: Int32 = 1) { mb_pop(L, n) }
    @inline(__always) public func type(at i: Int32) -> Int32 { lua_type(L, i) }
    @inline(__always) public func isNoneOrNil(_ i: Int32) -> Bool { mb_isnoneornil(L, i) != 0 }

    public func typeName(at i: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, i)))
    }

    @inline(__always) public func pushNil() { lua_pushnil(L) }
    @inline(__always) public func push(_ b: Bool) { lua_pushboolean(L, b ? 1 : 0) }
    @inline(__always) public func push(_ n: Double) { lua_pushnumber(L, n) }
    @inline(__always) public func push(_ n: Int) { lua_pushnumber(L, Double(n)) }
    public func push(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }
    @inline(__always) public func push(bytes: UnsafeRawBufferPointer) {
        lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }
    @inline(__always) public func pushLightUserdata(_ p: UnsafeRawPointer) {
        lua_pushlightuserdata(L, UnsafeMutableRawPointer(mutating: p))
    }
    @inline(__always) public func pushValue(_ i: Int32) { lua_pushvalue(L, i) }

    @inline(__always) public func toNumber(_ i: Int32) -> Double { lua_tonumber(L, i) }
    @inline(__always) public func toBoolean(_ i: Int32) -> Bool { lua_toboolean(L, i) != 0 }
    /// The string at `i` (numbers are not converted: the caller checked the type).
    public func toString(_ i: Int32) -> String? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = lua_tolstring(L, i, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }
    /// Raw bytes of the string at `i`, valid while the value stays on the stack.
    @inline(__always) public func toBytes(_ i: Int32) -> UnsafeRawBufferPointer? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = lua_tolstring(L, i, &len) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: len)
    }

    /// `t[key] = top`, raw (no metamethods, so it cannot raise).
    public func rawSetField(_ t: Int32, _ key: String) {
        let t = absIndex(t)
        push(key)
        lua_insert(L, -2)
        lua_rawset(L, t)
    }
    /// Pushes `t[key]`, raw.
    public func rawGetField(_ t: Int32, _ key: String) {
        let t = absIndex(t)
        push(key)
        lua_rawget(L, t)
    }
    @inline(__always) public func absIndex(_ i: Int32) -> Int32 {
        (i > 0 || i <= mb_registryindex()) ? i : lua_gettop(L) + i + 1
    }

    /// Pushes a Swift function as a Lua closure; `upvalues` values on the stack
    /// become its upvalues 1...n (read them with `mb_upvalue(k)`).
    @inline(__always) public func push(function: LuaFunction, upvalues: Int32 = 0) {
        mb_push_swift_function(L, function, upvalues)
    }
}

/// A Swift function callable from Lua through the C trampoline
/// (`mb_push_swift_function`). Returns a result count, `MB_RAISE` or `MB_YIELD`.
public typealias LuaFunction = @convention(c) (OpaquePointer?) -> Int32

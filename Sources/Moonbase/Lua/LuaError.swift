import CLuaJIT
import CMoonbaseShim

/// An error a Swift-implemented Lua function reports to its Lua caller.
///
/// It is never raised from Swift: `luaEntry` turns it into a pushed message and
/// the `MB_RAISE` code, and the C trampoline raises after Swift has returned.
public struct LuaError: Error {
    public let message: String
    public init(_ message: String) { self.message = message }

    /// "fs.open: bad argument #1 'path' (string expected, got nil)"
    public static func badArgument(_ function: String, _ index: Int32, _ name: String,
                                   expected: String, got: String) -> LuaError {
        LuaError("\(function): bad argument #\(index) '\(name)' (\(expected) expected, got \(got))")
    }
}

/// The body of every Swift Lua function: runs `body`, and on a thrown `LuaError`
/// pushes its message and returns `MB_RAISE` so the trampoline raises it once
/// every Swift frame (and its cleanups) is gone.
@inline(__always)
public func luaEntry(_ L: OpaquePointer?, _ body: (LuaState) throws(LuaError) -> Int32) -> Int32 {
    let lua = LuaState(L!)
    do {
        return try body(lua)
    } catch {
        lua.push(error.message)
        return MB_RAISE
    }
}

extension LuaState {
    // `argument`: the argument number to name when the value at `i` is a
    // field of an options table (at `argument`) rather than an argument.
    public func checkNumber(_ i: Int32, _ function: String, _ name: String,
                            argument: Int32? = nil) throws(LuaError) -> Double {
        guard lua_type(L, i) == LUA_TNUMBER else {
            throw .badArgument(function, argument ?? i, name, expected: "number", got: typeName(at: i))
        }
        return lua_tonumber(L, i)
    }
    public func checkInteger(_ i: Int32, _ function: String, _ name: String,
                             argument: Int32? = nil) throws(LuaError) -> Int {
        let n = try checkNumber(i, function, name, argument: argument)
        guard n == n.rounded(), abs(n) < 9.007199254740992e15 else {
            throw LuaError("\(function): bad argument #\(argument ?? i) '\(name)' (integer expected, got \(n))")
        }
        return Int(n)
    }
    public func optNumber(_ i: Int32, _ function: String, _ name: String) throws(LuaError) -> Double? {
        isNoneOrNil(i) ? nil : try checkNumber(i, function, name)
    }
    public func optInteger(_ i: Int32, _ function: String, _ name: String,
                           argument: Int32? = nil) throws(LuaError) -> Int? {
        isNoneOrNil(i) ? nil : try checkInteger(i, function, name, argument: argument)
    }
    public func checkString(_ i: Int32, _ function: String, _ name: String) throws(LuaError) -> String {
        guard let s = toString(i) else {
            throw .badArgument(function, i, name, expected: "string", got: typeName(at: i))
        }
        return s
    }
    public func optString(_ i: Int32, _ function: String, _ name: String) throws(LuaError) -> String? {
        isNoneOrNil(i) ? nil : try checkString(i, function, name)
    }
    public func checkBytes(_ i: Int32, _ function: String, _ name: String) throws(LuaError) -> UnsafeRawBufferPointer {
        guard let b = toBytes(i) else {
            throw .badArgument(function, i, name, expected: "string", got: typeName(at: i))
        }
        return b
    }
    public func checkType(_ i: Int32, _ type: Int32, _ function: String, _ name: String) throws(LuaError) {
        guard lua_type(L, i) == type else {
            throw .badArgument(function, i, name, expected: String(cString: lua_typename(L, type)),
                               got: typeName(at: i))
        }
    }
    public func optTable(_ i: Int32, _ function: String, _ name: String) throws(LuaError) -> Bool {
        if isNoneOrNil(i) { return false }
        try checkType(i, LUA_TTABLE, function, name)
        return true
    }
    /// Reads an optional field of the options table at `t`.
    public func field<T>(_ t: Int32, _ key: String, _ read: (Int32) throws(LuaError) -> T?) throws(LuaError) -> T? {
        rawGetField(t, key)
        defer { pop() }
        return try read(-1)
    }
}

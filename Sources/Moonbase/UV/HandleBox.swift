import CLuaJIT
import CMoonbaseShim

/// A handle object (connection, listener, UDP socket) that Lua holds through
/// a userdata box; closing it is what the box's `__gc` does.
protocol BoxedHandle: AnyObject {
    func close()
}

/// The userdata that gives Lua a handle object: one pointer-sized slot
/// holding a retained reference, released by `collect` (the `__gc`).
enum HandleBox {
    /// Pushes a userdata owning a retained reference to `object`.
    static func push(_ vm: VM, _ object: BoxedHandle, _ metatable: MetatableName, onto lua: LuaState) {
        let box = lua_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        box.storeBytes(of: Unmanaged.passRetained(object as AnyObject).toOpaque(), as: UnsafeMutableRawPointer?.self)
        lua_rawgeti(lua.L, mb_registryindex(), vm.metatables[metatable]!)
        lua_setmetatable(lua.L, -2)
    }

    /// The object in the box at `i` if it has `metatable` and is a `T`.
    static func object<T: AnyObject>(_ lua: LuaState, _ vm: VM, _ i: Int32, _ metatable: MetatableName, as: T.Type) -> T? {
        guard let p = vm.userdata(lua, i, metatable),
              let o = p.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(o).takeUnretainedValue() as? T
    }

    // __gc of every handle box: closes the handle and drops the reference.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard lua_type(lua.L, 1) == LUA_TUSERDATA, let box = lua_touserdata(lua.L, 1),
                  let o = box.load(as: UnsafeMutableRawPointer?.self) else { return 0 }
            box.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            let object = Unmanaged<AnyObject>.fromOpaque(o).takeRetainedValue()
            (object as? BoxedHandle)?.close()
            return 0
        }
    }
}

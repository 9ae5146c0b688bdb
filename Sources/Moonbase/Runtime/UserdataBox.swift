import CLuaJIT
import CMoonbaseShim

/// The one userdata layout for Swift objects handed to Lua (fibers, sockets,
/// files, connections, addresses), and the one way to register the
/// metatables that tell them apart.
///
/// Who owns what (the audited place for boxes): the box holds a *retained*
/// reference to its object, given back once by `takeBoxed` in the
/// metatable's `__gc`, which also empties the box so a second collection (or
/// a method called on a finalized value) finds nothing. A box's object is
/// read only after its metatable was checked, so the type is known.
struct UserdataBox {
    var object: UnsafeMutableRawPointer?
    /// A word of the owner's choosing (an address: whether it counts as a reference).
    var tag: Int
}

extension VM {
    /// Pushes a new box holding `object` (retained) with the metatable `name`.
    func pushBoxed(_ object: AnyObject, _ name: MetatableName, tag: Int = 0, onto lua: LuaState) {
        let p = lua_newuserdata(lua.L, MemoryLayout<UserdataBox>.size)!
        p.initializeMemory(as: UserdataBox.self, repeating: UserdataBox(
            object: Unmanaged.passRetained(object).toOpaque(), tag: tag), count: 1)
        lua_rawgeti(lua.L, mb_registryindex(), metatables[name]!)
        lua_setmetatable(lua.L, -2)
    }

    /// The box at `i` if it is a userdata with the metatable `name`.
    func box(_ lua: LuaState, _ i: Int32, _ name: MetatableName) -> UserdataBox? {
        guard lua_type(lua.L, i) == LUA_TUSERDATA, let ref = metatables[name],
              lua_getmetatable(lua.L, i) != 0 else { return nil }
        lua_rawgeti(lua.L, mb_registryindex(), ref)
        let same = lua_rawequal(lua.L, -1, -2) != 0
        mb_pop(lua.L, 2)
        return same ? lua_touserdata(lua.L, i)!.load(as: UserdataBox.self) : nil
    }

    /// The object boxed at `i` with the metatable `name` (whose boxes all hold
    /// a `T`), or nil if the value is something else or was finalized.
    @inline(__always)
    func boxed<T: AnyObject>(_ lua: LuaState, _ i: Int32, _ name: MetatableName, as: T.Type) -> T? {
        guard let object = box(lua, i, name)?.object else { return nil }
        return Unmanaged<T>.fromOpaque(object).takeUnretainedValue()
    }

    /// For `__gc`: empties the box at `i` if its metatable is `name` (Lua
    /// lets a program call a `__gc` on any value) and hands back its
    /// reference; nil if it is something else or already empty.
    func takeBoxed<T: AnyObject>(_ lua: LuaState, _ i: Int32, _ name: MetatableName,
                                 as: T.Type) -> (object: T, tag: Int)? {
        box(lua, i, name) != nil ? VM.emptyBox(lua, i, as: T.self) : nil
    }

    /// The same for a type with two metatables (an address and an inbox).
    func takeBoxed<T: AnyObject>(_ lua: LuaState, _ i: Int32, _ name: MetatableName, _ other: MetatableName,
                                 as: T.Type) -> (object: T, tag: Int)? {
        box(lua, i, name) != nil || box(lua, i, other) != nil ? VM.emptyBox(lua, i, as: T.self) : nil
    }

    /// Empties the box at `i` (already checked) and hands back its reference.
    private static func emptyBox<T: AnyObject>(_ lua: LuaState, _ i: Int32, as: T.Type) -> (object: T, tag: Int)? {
        guard lua_type(lua.L, i) == LUA_TUSERDATA, let p = lua_touserdata(lua.L, i) else { return nil }
        let box = p.load(as: UserdataBox.self)
        guard let object = box.object else { return nil }
        p.storeBytes(of: UserdataBox(object: nil, tag: box.tag), as: UserdataBox.self)
        return (Unmanaged<T>.fromOpaque(object).takeRetainedValue(), box.tag)
    }

    /// Registers the table at `i` of `lua` (the VM's main stack by default;
    /// a Swift function called from Lua passes its own, a fiber's stack) as
    /// this VM's metatable `name`.
    func registerMetatable(_ name: MetatableName, at i: Int32, on lua: LuaState? = nil) {
        let L = lua?.L ?? self.L
        lua_pushvalue(L, i)
        metatables[name] = luaL_ref(L, mb_registryindex())
    }

    /// Creates this VM's metatable `name` holding `functions` (e.g. `__gc`),
    /// registers it and leaves it on the stack (Lua may add methods to it).
    func makeMetatable(_ name: MetatableName, _ functions: [(String, LuaFunction)] = []) {
        lua_createtable(L, 0, Int32(functions.count) + 2)
        for (key, fn) in functions { setFunction(-1, key, fn) }
        registerMetatable(name, at: -1)
    }
}

extension LuaState {
    /// Pushes `nil, err`, the I/O failure every module returns; returns 2.
    @inline(__always) @discardableResult
    func pushFailure(_ err: String) -> Int32 {
        pushNil()
        push(err)
        return 2
    }
}

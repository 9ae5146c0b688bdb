import CLuaJIT
import CMoonbaseShim

/// How Swift Lua functions find their VM and register themselves.
extension VM {
    /// The VM of a Swift function: its upvalue 1, set by `pushFunction`.
    /// Every Swift Lua function starts here, so this is where debug builds
    /// check confinement for all of them (the `assert` is gone in release).
    @inline(__always) static func from(_ lua: LuaState) -> VM {
        let vm = Unmanaged<VM>.fromOpaque(lua_touserdata(lua.L, mb_upvalue(1))!).takeUnretainedValue()
        vm.worker.assertConfined("a Lua function of VM \(vm.id)")
        return vm
    }

    /// Pushes `fn` as a Lua function bound to this VM. The VM pointer is
    /// unretained: the functions live in the VM's own lua_State, which the
    /// VM closes before it goes away.
    func pushFunction(_ fn: LuaFunction, on L: OpaquePointer? = nil) {
        let L = L ?? self.L
        lua_pushlightuserdata(L, Unmanaged.passUnretained(self).toOpaque())
        mb_push_swift_function(L, fn, 1)
    }

    /// `t[name] = fn` for the table at `t` on the VM's stack.
    func setFunction(_ t: Int32, _ name: String, _ fn: LuaFunction) {
        let t = LuaState(L).absIndex(t)
        pushFunction(fn)
        LuaState(L).rawSetField(t, name)
    }

    /// The block of a userdata at `i` whose metatable is the runtime's `name`.
    func userdata(_ lua: LuaState, _ i: Int32, _ name: MetatableName) -> UnsafeMutableRawPointer? {
        guard lua_type(lua.L, i) == LUA_TUSERDATA, let ref = metatables[name],
              lua_getmetatable(lua.L, i) != 0 else { return nil }
        lua_rawgeti(lua.L, mb_registryindex(), ref)
        let same = lua_rawequal(lua.L, -1, -2) != 0
        mb_pop(lua.L, 2)
        return same ? lua_touserdata(lua.L, i) : nil
    }
}

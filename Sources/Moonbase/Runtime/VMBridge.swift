import CLuaJIT
import CMoonbaseShim

/// How Swift Lua functions find their VM and register themselves.
extension VM {
    /// The VM of a Swift function: its upvalue 1, set by `pushFunction`.
    /// Every Swift Lua function starts here, so this is where debug builds
    /// check confinement for all of them (the `assert` is gone in release).
    @inline(__always) static func from(_ lua: LuaState) -> VM {
        let vm = Unmanaged<VM>.fromOpaque(lua_touserdata(lua.L, mb_upvalue(1))!).takeUnretainedValue()
        vm.assertConfined("a Lua function of VM \(vm.id)")
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

    /// Fails loudly (debug builds) off the VM's worker thread. The worker is
    /// read inside the assertion, so a release build pays nothing (reading an
    /// `unowned` reference costs a retain and a release).
    @inline(__always) func assertConfined(_ what: @autoclosure () -> String) {
        assert(worker.isCurrentThread, "confinement: \(what()) touched from a thread other than worker \(worker.index)'s")
    }
}

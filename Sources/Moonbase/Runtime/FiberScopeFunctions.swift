import CLuaJIT
import CMoonbaseShim

/// What a fiber carries through everything it runs, user coroutines
/// included: `this_fiber.forbid_suspend()`/`allow_suspend()`,
/// `this_fiber.local_`, and the interruption point that `pcall`, `xpcall`
/// and `coroutine.resume`/`wrap` pass through (Emilua).
extension VM {
    /// Copies `interruptedFibers` and `forbiddingFibers` to `rt.fiber_counts`
    /// [1] and [2]: the prelude's interruption points (pcall,
    /// coroutine.resume, ...) and a free mutex's lock call Swift only while
    /// one is not 0, so they cost one compare otherwise. Called only on an
    /// interrupt, a forbid_suspend/allow_suspend at depth 0, and such a fiber's end.
    func mirrorCounts() {
        guard fiberCountsRef != LUA_NOREF, !isClosed else { return }
        lua_rawgeti(L, mb_registryindex(), fiberCountsRef)
        lua_pushinteger(L, interruptedFibers)
        lua_rawseti(L, -2, 1)
        lua_pushinteger(L, forbiddingFibers)
        lua_rawseti(L, -2, 2)
        mb_pop(L, 1)
    }
}

enum FiberScopeFunctions {
    static func install(_ vm: VM, into internals: Int32) {
        vm.setFunction(internals, "forbid_suspend", forbidSuspend)
        vm.setFunction(internals, "allow_suspend", allowSuspend)
        vm.setFunction(internals, "may_suspend", maySuspend)
        vm.setFunction(internals, "fiber_local", fiberLocal)
        vm.setFunction(internals, "interruption_point", interruptionPoint)
        let L = vm.L
        lua_createtable(L, 2, 0)
        lua_pushinteger(L, 0)
        lua_rawseti(L, -2, 1)
        lua_pushinteger(L, 0)
        lua_rawseti(L, -2, 2)
        lua_pushvalue(L, -1)
        vm.fiberCountsRef = luaL_ref(L, mb_registryindex())
        LuaState(L).rawSetField(internals, "fiber_counts")
    }

    static let forbidSuspend: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.runningFiber("this_fiber.forbid_suspend")
            me.suspendForbidden += 1
            if me.suspendForbidden == 1 {
                vm.forbiddingFibers += 1
                vm.mirrorCounts()
            }
            return 0
        }
    }

    static let allowSuspend: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.runningFiber("this_fiber.allow_suspend")
            guard me.suspendForbidden > 0 else {
                throw LuaError("this_fiber.allow_suspend: Operation not permitted (no forbid_suspend() to match)")
            }
            me.suspendForbidden -= 1
            if me.suspendForbidden == 0 {
                vm.forbiddingFibers -= 1
                vm.mirrorCounts()
            }
            return 0
        }
    }

    // may_suspend(name): raises if the running fiber may not suspend (a wait
    // that happens to need no suspension, like locking a free mutex, still
    // counts as a suspension point). Outside a fiber: nothing to check.
    static let maySuspend: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            if let me = VM.from(lua).currentFiber, me.suspendForbidden != 0 {
                throw VM.suspensionForbidden(lua.toString(1) ?? "suspend")
            }
            return 0
        }
    }

    // fiber_local() -> the running fiber's local table (made on first use).
    static let fiberLocal: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.runningFiber("this_fiber.local_")
            if me.localRef == LUA_NOREF {
                lua_createtable(lua.L, 0, 0)
                lua_pushvalue(lua.L, -1)
                me.localRef = luaL_ref(lua.L, mb_registryindex())
                return 1
            }
            lua_rawgeti(lua.L, mb_registryindex(), me.localRef)
            return 1
        }
    }

    // interruption_point() -> nothing, or RAISE, 'interrupted' when the running
    // fiber was interrupted with interruption enabled (sticky).
    static let interruptionPoint: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard let me = VM.from(lua).currentFiber, let n = me.takeInterruption(lua) else { return 0 }
            return n
        }
    }
}

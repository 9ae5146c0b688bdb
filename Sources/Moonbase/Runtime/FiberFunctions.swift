import CLuaJIT
import CMoonbaseShim

/// The Swift half of `spawn`, fiber handles (`join`, `detach`, `interrupt`)
/// and `this_fiber`; the Lua half is in `lua/prelude.lua`.
enum FiberFunctions {
    static let handleMetatable = MetatableName("moonbase.fiber")

    static func install(_ vm: VM, into internals: Int32) {
        let lua = LuaState(vm.L)
        vm.setFunction(internals, "spawn", spawn)
        vm.setFunction(internals, "spawn_first", spawnFirst)
        vm.setFunction(internals, "join", join)
        vm.setFunction(internals, "detach", detach)
        vm.setFunction(internals, "interrupt", interrupt)
        vm.setFunction(internals, "fiber_gc", collect)
        vm.setFunction(internals, "fiber_tostring", describe)
        vm.setFunction(internals, "yield", yieldFiber)
        vm.setFunction(internals, "current_id", currentID)
        vm.setFunction(internals, "disable_interruption", disableInterruption)
        vm.setFunction(internals, "restore_interruption", restoreInterruption)
        vm.setFunction(internals, "suspend", suspendForWake)
        vm.setFunction(internals, "wake", wake)
        vm.setFunction(internals, "current", current)
        vm.setFunction(internals, "interruption_caught", interruptionCaught)
        FiberScopeFunctions.install(vm, into: internals)
        // The handle metatable is filled in by the prelude (methods in Lua).
        vm.makeMetatable(handleMetatable)
        lua.rawSetField(internals, "fiber_metatable")
    }

    /// Pushes a new handle for `fiber` (retains it until collected).
    static func pushHandle(_ vm: VM, _ fiber: Fiber, onto lua: LuaState) {
        fiber.handleCount += 1
        vm.pushBoxed(fiber, handleMetatable, onto: lua)
    }

    static func fiber(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> Fiber {
        guard let f = vm.boxed(lua, i, handleMetatable, as: Fiber.self) else {
            throw .badArgument(function, i, "fiber", expected: "fiber", got: lua.typeName(at: i))
        }
        return f
    }

    // spawn(fn, ...) -> fiber
    static let spawn: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            try start(lua, "spawn", first: false)
        }
    }

    // lunet.spawn(fn, ...): as Lunet, the new coroutine runs at once up to its
    // first wait and the caller goes on without suspending (so it works inside
    // a `require`d module at load time). Lunet gives no handle: the fiber is
    // detached, and an error in it is reported as soon as it happens.
    static let spawnFirst: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TFUNCTION, "lunet.spawn", "fn")
            vm.runFiberNow(from: lua.L, nargs: lua.top - 1)
            return 0
        }
    }

    private static func start(_ lua: LuaState, _ name: String, first: Bool) throws(LuaError) -> Int32 {
        let vm = VM.from(lua)
        try lua.checkType(1, LUA_TFUNCTION, name, "fn")
        let fiber = vm.spawnFiber(from: lua.L, nargs: lua.top - 1, first: first)
        pushHandle(vm, fiber, onto: lua)
        return 1
    }

    // fiber.interruption_caught: readable once the fiber was joined (Emilua).
    static let interruptionCaught: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let target = try fiber(lua, VM.from(lua), 1, "fiber.interruption_caught")
            guard target.joined else {
                throw LuaError("fiber.interruption_caught: Invalid argument (the fiber was not joined)")
            }
            lua.push(target.endedByInterruption)
            return 1
        }
    }

    // join(fiber) -> results... (raises the fiber's error); suspending.
    static let join: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let target = try fiber(lua, vm, 1, "fiber:join")
            let me = try vm.suspendingFiber("fiber:join")
            if target === me { throw LuaError("fiber:join: Resource deadlock avoided (a fiber cannot join itself)") }
            if target.detached { throw LuaError("fiber:join: Invalid argument (fiber was detached)") }
            if target.outcomeTaken || target.joiner != nil {
                throw LuaError("fiber:join: Invalid argument (fiber was already joined)")
            }
            if let n = me.takeInterruption(lua) { return n }
            if !target.isAlive {
                target.outcomeTaken = true
                target.joined = true
                let n = vm.pushOutcome(of: target, onto: lua)
                target.release(vm.L)
                return n
            }
            target.joiner = me
            me.suspend(on: JoinWait(target), external: false)
            return vm.yield(lua)
        }
    }

    static let detach: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let target = try fiber(lua, vm, 1, "fiber:detach")
            if target.outcomeTaken || target.joiner != nil {
                throw LuaError("fiber:detach: Invalid argument (fiber was already joined)")
            }
            if target.detached { return 0 }
            target.detached = true
            if !target.isAlive {
                target.outcomeTaken = true
                if let report = target.pendingReport {
                    vm.reportError("error in detached fiber \(target.id)", report)
                    target.pendingReport = nil
                }
                target.release(vm.L)
            }
            return 0
        }
    }

    static let interrupt: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try fiber(lua, vm, 1, "fiber:interrupt").interrupt()
            return 0
        }
    }

    // __gc of a handle: the fiber goes on (as if detached); an unjoined error is reported.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let (fiber, _) = vm.takeBoxed(lua, 1, handleMetatable, as: Fiber.self) else { return 0 }
            fiber.handleCount -= 1
            // Another handle (the spawner's) may still join it.
            if fiber.handleCount > 0 { return 0 }
            if !fiber.detached && !fiber.outcomeTaken {
                if let report = fiber.pendingReport {
                    vm.reportError("error in fiber \(fiber.id) (never joined)", report)
                    fiber.pendingReport = nil
                }
                fiber.detached = true
                if !fiber.isAlive && !vm.isClosed { fiber.release(vm.L) }
            }
            return 0
        }
    }

    static let describe: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let f = try fiber(lua, VM.from(lua), 1, "tostring")
            lua.push("fiber \(f.id)")
            return 1
        }
    }

    // this_fiber.yield(): let every other ready fiber run once; suspending.
    static let yieldFiber: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.suspendingFiber("this_fiber.yield")
            if let n = me.takeInterruption(lua) { return n }
            me.suspend(on: nil, external: false)
            vm.makeReady(me, nargs: 0)
            return vm.yield(lua)
        }
    }

    static let currentID: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard let me = VM.from(lua).currentFiber else { return 0 }
            lua.push(me.id)
            return 1
        }
    }

    static let disableInterruption: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let me = try VM.from(lua).runningFiber("this_fiber.disable_interruption")
            me.interruptionDisabled += 1
            return 0
        }
    }

    static let restoreInterruption: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let me = try VM.from(lua).runningFiber("this_fiber.restore_interruption")
            guard me.interruptionDisabled > 0 else {
                throw LuaError("this_fiber.restore_interruption: interruption is not disabled")
            }
            me.interruptionDisabled -= 1
            return 0
        }
    }

    // current(name) -> handle of the running fiber, which is about to wait in
    // suspend() (Lua-written primitives, before they queue it: a forbidden
    // suspension raises here, naming `name`, with nothing queued yet).
    static let current: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.runningFiber("this_fiber")
            if me.suspendForbidden != 0 { throw VM.suspensionForbidden(lua.toString(1) ?? "this_fiber") }
            pushHandle(vm, me, onto: lua)
            return 1
        }
    }

    // suspend(kind?) -> values given to wake(); suspending, interruptible. The
    // building block of the Lua-written mutex, condition variable and channel;
    // `kind` (a `SuspendKind`) names the wait in deadlock reports.
    static let suspendForWake: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let me = try vm.suspendingFiber("suspend")
            if let n = me.takeInterruption(lua) { return n }
            me.suspendKind = Int(lua_tointeger(lua.L, 1))
            me.suspend(on: ManualWait.shared, external: false)
            return vm.yield(lua)
        }
    }

    // wake(fiber, ...) -> true if it was waiting in suspend().
    static let wake: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let target = try fiber(lua, vm, 1, "wake")
            guard target.waitingOn === ManualWait.shared else {
                lua.push(false)
                return 1
            }
            let n = lua.top - 1
            let woke = target.wakeNow { t in
                lua_xmove(lua.L, t.L, n)
                return n
            }
            lua.push(woke)
            return 1
        }
    }
}

/// A fiber waiting in `join` for `target`.
private final class JoinWait: FiberWait {
    let target: Fiber
    init(_ target: Fiber) { self.target = target }
    func cancelWait(of fiber: Fiber) {
        if target.joiner === fiber { target.joiner = nil }
    }
    func describeWait(of fiber: Fiber) -> String { "join (fiber \(target.id))" }
}

/// The wait of a fiber in `suspend()`: only `wake()` ends it. Interruption
/// needs no cancelling here; the Lua code that suspended cleans up.
final class ManualWait: FiberWait {
    nonisolated(unsafe) static let shared = ManualWait()
    func cancelWait(of fiber: Fiber) {}
    /// The numbers the Lua primitives pass to `suspend(kind)`.
    private static let kinds = [1: "mutex", 2: "condition variable", 3: "channel"]
    func describeWait(of fiber: Fiber) -> String { ManualWait.kinds[fiber.suspendKind] ?? "suspend()" }
}

import CLuaJIT

/// `require 'signal'`: `wait(name, ...)`, `ignore(name)`, `reset(name)` over
/// the runtime's `SignalHub` (the default actions are there).
enum SignalModule {
    static let definition = LuaModule(name: "signal", functions: [
        ("wait", wait),
        ("ignore", ignore),
        ("reset", reset),
    ], lua: "signal")

    /// The signal number named by argument `i` ("TERM", "INT", "HUP", "USR1", "USR2").
    static func checkSignal(_ lua: LuaState, _ i: Int32, _ function: String) throws(LuaError) -> Int32 {
        let name = try lua.checkString(i, function, "signal")
        guard let number = SignalHub.number(of: name) else {
            throw LuaError("\(function): bad argument #\(i) 'signal' (TERM, INT, HUP, USR1 or USR2 expected, got \"\(name)\")")
        }
        return number
    }

    // wait(name, ...) -> name of the first to arrive; suspending, interruptible.
    static let wait: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let count = lua.top
            guard count >= 1 else {
                throw .badArgument("signal.wait", 1, "signal", expected: "string", got: "no value")
            }
            var numbers: [Int32] = []
            for i in 1...count { numbers.append(try checkSignal(lua, i, "signal.wait")) }
            let vm = VM.from(lua)
            let fiber = try vm.suspendingFiber("signal.wait")
            if let n = fiber.takeInterruption(lua) { return n }
            let hub = vm.runtime.signalHub!
            let wait = SignalWait(hub: hub)
            let waker = FiberWaker(fiber: fiber, serial: fiber.suspend(on: wait, external: true))
            wait.token = hub.wait(for: numbers) { name in
                waker.wake { lua in lua.push(name); return 1 }
            }
            return vm.yield(lua)
        }
    }

    static let ignore: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).runtime.signalHub.setIgnored(try checkSignal(lua, 1, "signal.ignore"), true)
            return 0
        }
    }

    static let reset: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).runtime.signalHub.setIgnored(try checkSignal(lua, 1, "signal.reset"), false)
            return 0
        }
    }
}

/// A fiber in `signal.wait`: interruption or the VM's end withdraws it.
private final class SignalWait: FiberWait {
    let hub: SignalHub
    var token = 0
    init(hub: SignalHub) { self.hub = hub }
    func cancelWait(of fiber: Fiber) { hub.cancel(token) }
}

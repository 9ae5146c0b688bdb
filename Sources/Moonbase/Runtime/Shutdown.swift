import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// Graceful shutdown (docs/API.md, "Shutdown"), the default of the first
/// SIGTERM or SIGINT: every VM runs its shutdown hooks (listeners stop
/// accepting, idle keep-alive connections close, `rt.on_shutdown` in
/// lua/prelude.lua), then every fiber not serving a connection is
/// interrupted. The process exits when the last VM ends, or with status 1
/// after the grace period; a second signal ends it at once (128 + signal).
extension Runtime {
    var isShuttingDown: Bool { shutdownSignal.load(ordering: .acquiring) != 0 }

    /// On worker 0 (the signal watchers' loop).
    func shutDown(signal number: Int32) {
        let name = SignalHub.name(of: number)
        guard shutdownSignal.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged else {
            Runtime.writeError("moonbase: second SIG\(name) during shutdown: exiting now\n")
            Runtime.flushOutput()
            _exit(128 + number)
        }
        Runtime.writeError("moonbase: SIG\(name): shutting down (at most \(options.shutdownTimeout) s)\n")
        graceTimer = GraceTimer(loop: workers[0].loop, seconds: options.shutdownTimeout)
        for worker in workers {
            worker.post { worker in
                for vm in Array(worker.vms.values) { vm.beginShutdown() }
            }
        }
    }

    /// Worker 0's loop is ending: its signal and grace timer handles go.
    func closeShutdownHandles() {
        signalHub.close()
        graceTimer?.close()
        graceTimer = nil
    }
}

/// Ends the process when the grace period is over.
final class GraceTimer {
    private let handle = UVHandle<uv_timer_t>()

    init(loop: UnsafeMutablePointer<uv_loop_t>, seconds: Double) {
        uv_timer_init(loop, handle.pointer)
        handle.setOwner(self)
        uv_timer_start(handle.pointer, graceOver, UInt64(seconds * 1000), 0)
        uv_unref(handle.base)
    }

    func close() { handle.close() }
}

private let graceOver: uv_timer_cb = { _ in
    Runtime.writeError("moonbase: shutdown: grace period over with work left: exiting\n")
    Runtime.flushOutput()
    _exit(1)
}

extension VM {
    /// Starts this VM's shutdown: `rt.run_shutdown` (lua/prelude.lua) in a
    /// fiber of its own, so hooks may suspend.
    func beginShutdown() {
        guard !isClosed else { return }
        let lua = LuaState(L)
        lua.rawGetField(mb_registryindex(), Shutdown.internalsKey)
        guard lua_type(L, -1) == LUA_TTABLE else { lua.pop(); return }
        lua.rawGetField(-1, "run_shutdown")
        lua_remove(L, -2)
        guard lua_type(L, -1) == LUA_TFUNCTION else { lua.pop(); return }
        spawnFiber(from: L, nargs: 0).detached = true
    }
}

/// The Swift half of the shutdown routine in lua/prelude.lua.
enum Shutdown {
    /// Registry key of the VM's runtime internals (`rt`).
    static let internalsKey = "moonbase.rt"

    static func install(_ vm: VM, into internals: Int32) {
        let lua = LuaState(vm.L)
        lua_pushvalue(vm.L, internals)
        lua.rawSetField(mb_registryindex(), internalsKey)
        vm.setFunction(internals, "interrupt_unshielded", interruptUnshielded)
    }

    /// Whether an error value is the interruption raised by shutdown: such a
    /// fiber's end is no failure and is not reported.
    static func isShutdownInterruption(_ vm: VM, _ thread: OpaquePointer) -> Bool {
        vm.runtime.isShuttingDown && lua_type(thread, -1) == LUA_TSTRING
            && LuaState(thread).toString(-1) == "interrupted"
    }

    // interrupt_unshielded(shielded): interrupts every live fiber but the
    // caller and those whose id is a key of `shielded`.
    static let interruptUnshielded: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "interrupt_unshielded", "shielded")
            for fiber in vm.liveFibers where fiber !== vm.currentFiber {
                lua.push(fiber.id)
                lua_rawget(L, 1)
                let shielded = lua_type(L, -1) != LUA_TNIL
                lua.pop()
                if !shielded { fiber.interrupt() }
            }
            return 0
        }
    }
}

import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// One isolated LuaJIT state (an actor) with its fibers, living on one worker.
///
/// Confined: every method runs on `worker`'s thread.
final class VM {
    let id: Int
    unowned let worker: Worker
    unowned let runtime: Runtime
    let L: OpaquePointer
    let context: String
    /// The fiber being resumed right now, if any.
    private(set) var currentFiber: Fiber?
    /// Fibers not finished yet, each knowing its place (`Fiber.liveIndex`):
    /// added and removed in O(1) without hashing, on every spawn.
    private(set) var liveFibers: [Fiber] = []
    private var nextFiberID = 1
    /// Fibers queued on the worker's ready queue.
    private var readyCount = 0
    /// Suspended fibers whose wait can be ended by an outside event.
    var externalWaits = 0
    /// Live fibers with an interruption requested, and fibers inside
    /// `forbid_suspend`, mirrored in Lua (`rt.fiber_counts`, see `mirrorCounts`).
    var interruptedFibers = 0
    var forbiddingFibers = 0
    var fiberCountsRef: Int32 = LUA_NOREF
    private(set) var isClosed = false
    private(set) var mainFiber: Fiber?
    /// Resources to release when the VM ends (timers, sockets, files, ...).
    private var resources: [ObjectIdentifier: VMResource] = [:]
    /// Called once when the VM ends, the Lua state still open (a last look at its globals).
    var beforeClose: ((VM) -> Void)?
    /// Called once when the VM ends; `failed` is true if its main fiber raised.
    var onEnd: ((VM, _ failed: Bool, _ reason: String?) -> Void)?
    private var endReason: String?
    private var mainFailed = false

    /// Registry refs of the metatables of the runtime's userdata types.
    var metatables = MetatableRefs()

    /// What the messaging layer keeps for this VM (its inbox), set by the
    /// spawner or by the messaging module's install when the VM is created.
    var attachment: VMAttachment?

    /// Why the VM could not be set up (out of memory), if it could not.
    private(set) var startFailure: String?

    /// `state`: a Lua state made by the caller (spawn_vm makes it, so that
    /// running out of memory raises there), else one is made here.
    init(id: Int, worker: Worker, runtime: Runtime, context: String, attachment: VMAttachment?,
         state: OpaquePointer? = nil) {
        self.attachment = attachment
        self.id = id
        self.worker = worker
        self.runtime = runtime
        self.context = context
        guard let L = state ?? luaL_newstate() else { fatalError("moonbase: out of memory creating a Lua state") }
        self.L = L
        if mb_openlibs(L) != 0 {
            startFailure = "not enough memory"
            return
        }
        startFailure = Prelude.install(self)
    }

    // MARK: Fibers

    /// Creates a fiber running the function below `nargs` arguments on top of
    /// `from`'s stack (both are popped) and queues it. Pushes nothing.
    func spawnFiber(from: OpaquePointer, nargs: Int32, first: Bool = false) -> Fiber {
        assertConfined("VM.spawnFiber")
        guard let thread = lua_newthread(L) else { fatalError("moonbase: out of memory") }
        let ref = luaL_ref(L, mb_registryindex())
        lua_xmove(from, thread, nargs + 1)
        let fiber = Fiber(vm: self, id: nextFiberID, thread: thread, threadRef: ref)
        nextFiberID += 1
        fiber.liveIndex = liveFibers.count
        liveFibers.append(fiber)
        readyCount += 1
        if first { worker.enqueueFirst(fiber, nargs: nargs) } else { worker.enqueue(fiber, nargs: nargs) }
        return fiber
    }

    /// Creates a detached fiber as `spawnFiber` does and runs it at once, up
    /// to its first wait, without suspending the caller (`lunet.spawn`).
    func runFiberNow(from: OpaquePointer, nargs: Int32) {
        assertConfined("VM.runFiberNow")
        guard let thread = lua_newthread(L) else { fatalError("moonbase: out of memory") }
        let ref = luaL_ref(L, mb_registryindex())
        lua_xmove(from, thread, nargs + 1)
        let fiber = Fiber(vm: self, id: nextFiberID, thread: thread, threadRef: ref)
        nextFiberID += 1
        fiber.detached = true
        fiber.liveIndex = liveFibers.count
        liveFibers.append(fiber)
        run(fiber, nargs: nargs)
    }

    private func removeLive(_ fiber: Fiber) {
        if fiber.interruptRequested { interruptedFibers -= 1; mirrorCounts() }
        if fiber.suspendForbidden > 0 { forbiddingFibers -= 1; mirrorCounts() }
        let index = fiber.liveIndex
        let last = liveFibers.removeLast()
        if last !== fiber {
            liveFibers[index] = last
            last.liveIndex = index
        }
        fiber.liveIndex = -1
    }

    /// Starts the VM's main fiber on the function on top of the VM's stack.
    func startMain(nargs: Int32) {
        let fiber = spawnFiber(from: L, nargs: nargs)
        fiber.isMain = true
        mainFiber = fiber
    }

    @inline(__always) func makeReady(_ fiber: Fiber, nargs: Int32) {
        fiber.state = .ready
        readyCount += 1
        worker.enqueue(fiber, nargs: nargs)
    }

    /// Resumes `fiber` (called by the worker's scheduler only).
    func resume(_ fiber: Fiber, nargs: Int32) {
        assertConfined("VM.resume")
        readyCount -= 1
        guard !isClosed, fiber.state == .ready else { return }
        run(fiber, nargs: nargs)
        endIfStuck()
    }

    /// Runs `fiber` until it waits or ends. The fiber that was running (if
    /// any) is current again afterwards: `lunet.spawn` runs one inside another.
    private func run(_ fiber: Fiber, nargs: Int32) {
        let previous = currentFiber
        fiber.state = .running
        currentFiber = fiber
        let status = lua_resume(fiber.thread, nargs)
        currentFiber = previous
        switch status {
        case 0:
            fiber.state = .finished
            removeLive(fiber)
            fiberEnded(fiber)
        case LUA_YIELD:
            lua_settop(fiber.thread, 0)
            if fiber.state == .running {
                // A yield that is no wait (the prelude's coroutine.yield raises
                // at fiber level; a raw one could still come from C): let others run.
                makeReady(fiber, nargs: 0)
            }
        default:
            removeLive(fiber)
            let interrupted = endedByInterruption(fiber)
            if interrupted || endedWithoutSenders(fiber) {
                // Emilua: an uncaught interruption ends the fiber normally.
                lua_settop(fiber.thread, 0)
                fiber.endedByInterruption = interrupted
                fiber.state = .finished
                fiberEnded(fiber)
            } else {
                fiber.state = .failed
                fiberFailed(fiber)
            }
        }
    }

    /// The fiber was interrupted and raised the interruption out of its body.
    private func endedByInterruption(_ fiber: Fiber) -> Bool {
        guard fiber.interruptRequested, lua_type(fiber.thread, -1) == LUA_TSTRING else { return false }
        return LuaState(fiber.thread).toString(-1) == "interrupted"
    }

    /// A worker actor's main fiber raised `inbox:receive`'s "no address
    /// left" out of its body: the usual end of a server actor whose clients
    /// are gone, not a failure (a deliberate difference from Emilua).
    private func endedWithoutSenders(_ fiber: Fiber) -> Bool {
        guard fiber.isMain, context != "main", lua_type(fiber.thread, -1) == LUA_TSTRING else { return false }
        return LuaState(fiber.thread).toString(-1)?.hasSuffix(VM.noSendersMessage) == true
    }
    static let noSendersMessage = "Broadcast the address before attempting to receive on it"

    /// Ends the VM when nothing can ever resume its remaining fibers (if any):
    /// none is ready, none waits on I/O or timers, and no message can arrive
    /// for a fiber waiting in `inbox:receive`. Fibers left waiting on each
    /// other (mutex, condition variable, channel, join) are a deadlock: reported,
    /// and the VM counts as failed.
    func endIfStuck() {
        guard !isClosed, currentFiber == nil, readyCount == 0, externalWaits == 0 else { return }
        if attachment?.mayWakeFiber == true { return }
        if let report = deadlockReport() {
            runtime.writeError(report)
            mainFailed = true
            endReason = endReason ?? report
        }
        end()
    }

    /// The report of the fibers waiting forever, if any wait is a deadlock.
    private func deadlockReport() -> String? {
        let stuck = liveFibers.compactMap { f in f.currentWait.map { (f, $0) } }.sorted { $0.0.id < $1.0.id }
        guard stuck.contains(where: { $0.1.isDeadlockWhenStuck }) else { return nil }
        var text = "moonbase: deadlock: \(stuck.count) fiber\(stuck.count == 1 ? "" : "s") waiting forever\n"
        for (fiber, wait) in stuck {
            text += "  fiber \(fiber.id)\(fiber.isMain ? " (main)" : ""): \(wait.describeWait(of: fiber))\n"
        }
        return text
    }

    private func fiberEnded(_ fiber: Fiber) {
        fiber.closeTimer()
        fiber.dropLocal(L)
        if let joiner = fiber.joiner {
            fiber.joiner = nil
            deliverOutcome(of: fiber, to: joiner)
        } else if fiber.detached || fiber.isMain {
            fiber.release(L)
        }
    }

    private func fiberFailed(_ fiber: Fiber) {
        // Keep the error value (for join) and build the report while the
        // coroutine's stack still shows where it failed.
        lua_pushvalue(fiber.thread, -1)
        lua_xmove(fiber.thread, L, 1)
        fiber.errorRef = luaL_ref(L, mb_registryindex())
        let report = traceback(of: fiber.thread)
        // Interrupted by a graceful shutdown: an expected end, not reported.
        let quiet = Shutdown.isShutdownInterruption(self, fiber.thread)
        lua_settop(fiber.thread, 0)
        fiber.closeTimer()
        fiber.dropLocal(L)
        if fiber.isMain {
            if !quiet {
                reportError("error in \(context == "main" ? "main" : "actor") fiber", report)
                mainFailed = true
            }
            endReason = report
            fiber.release(L)
            end()
        } else if let joiner = fiber.joiner {
            fiber.joiner = nil
            deliverOutcome(of: fiber, to: joiner)
        } else if fiber.detached {
            if !quiet { reportError("error in detached fiber \(fiber.id)", report) }
            fiber.release(L)
        } else {
            fiber.pendingReport = quiet ? nil : report
        }
    }

    /// Moves the finished fiber's results (or its error, raised) to `joiner`.
    private func deliverOutcome(of fiber: Fiber, to joiner: Fiber) {
        fiber.outcomeTaken = true
        fiber.joined = true
        let L = self.L
        joiner.wakeNow { lua in pushOutcome(of: fiber, onto: lua) }
        fiber.release(L)
    }

    /// Pushes a finished fiber's results, or RAISE and its error, onto `lua`.
    func pushOutcome(of fiber: Fiber, onto lua: LuaState) -> Int32 {
        if fiber.state == .failed {
            lua.pushLightUserdata(Sentinel.raise)
            lua_rawgeti(lua.L, mb_registryindex(), fiber.errorRef)
            fiber.pendingReport = nil
            return 2
        }
        let n = lua_gettop(fiber.thread)
        lua_xmove(fiber.thread, lua.L, n)
        return n
    }

    func traceback(of thread: OpaquePointer) -> String {
        let message: String
        if let s = LuaState(thread).toString(-1) {
            message = s
        } else if lua_type(thread, -1) == LUA_TNUMBER {
            message = String(lua_tonumber(thread, -1))
        } else {
            message = "(error object is a \(LuaState(thread).typeName(at: -1)) value)"
        }
        luaL_traceback(L, thread, message, 0)
        let text = LuaState(L).toString(-1) ?? message
        mb_pop(L, 1)
        return text
    }

    func reportError(_ what: String, _ report: String) {
        runtime.writeError("moonbase: \(what): \(report)\n")
    }

    // MARK: Suspending calls

    /// The fiber a suspending call made on `lua` belongs to, or an error when
    /// the call cannot suspend (outside any fiber).
    /// The one check of `this_fiber.forbid_suspend()` for every suspending call.
    @inline(__always)
    func suspendingFiber(_ function: String) throws(LuaError) -> Fiber {
        let fiber = try runningFiber(function)
        if fiber.suspendForbidden != 0 { throw VM.suspensionForbidden(function) }
        return fiber
    }

    /// For I/O that may complete without waiting (buffered data, a write the
    /// kernel takes at once): it is still a suspension point under
    /// `forbid_suspend`, as Emilua's always-asynchronous I/O is.
    @inline(__always)
    func checkSuspensionAllowed(_ function: String) throws(LuaError) {
        if let fiber = currentFiber, fiber.suspendForbidden != 0 { throw VM.suspensionForbidden(function) }
    }

    /// The fiber running a call that needs one but does not suspend.
    @inline(__always)
    func runningFiber(_ function: String) throws(LuaError) -> Fiber {
        guard let fiber = currentFiber else {
            throw LuaError("\(function): cannot suspend outside a fiber")
        }
        return fiber
    }

    static func suspensionForbidden(_ function: String) -> LuaError {
        LuaError("\(function): Operation not permitted (suspension is forbidden: this_fiber.forbid_suspend)")
    }

    /// Pushes RAISE and `message`: a suspending call's Lua wrapper raises it.
    func pushRaise(_ lua: LuaState, _ message: String) -> Int32 {
        lua.pushLightUserdata(Sentinel.raise)
        lua.push(message)
        return 2
    }

    /// What a Swift function returns to suspend its fiber.
    @inline(__always) func yield(_ lua: LuaState) -> Int32 {
        lua.pushLightUserdata(Sentinel.suspend)
        return MB_YIELD
    }

    // MARK: Resources and lifetime

    func register(_ resource: VMResource) {
        assertConfined("VM.register")
        resources[ObjectIdentifier(resource)] = resource
    }
    func unregister(_ resource: VMResource) { resources[ObjectIdentifier(resource)] = nil }

    /// Ends the VM: cancels every wait, releases its resources, closes the state.
    func end(reason: String? = nil) {
        assertConfined("VM.end")
        guard !isClosed else { return }
        if let reason, endReason == nil { endReason = reason }
        isClosed = true
        attachment?.vmEnded(reason: endReason ?? "normal")
        for fiber in liveFibers {
            fiber.cancelWait()
            fiber.closeTimer()
        }
        for resource in resources.values { resource.release() }
        resources.removeAll()
        beforeClose?(self)
        beforeClose = nil
        lua_close(L)
        for fiber in liveFibers { fiber.joiner = nil }
        liveFibers.removeAll()
        mainFiber = nil  // Fiber.vm is strong: break the cycle so the VM is freed
        worker.vms[id] = nil
        onEnd?(self, mainFailed, endReason)
        onEnd = nil
    }
}

/// What the messaging layer attaches to a VM (its inbox), seen by the runtime
/// only through this: whether a fiber may still be woken from outside, and
/// the news that the VM ended.
protocol VMAttachment: AnyObject {
    /// A fiber waits for something this attachment may still deliver.
    var mayWakeFiber: Bool { get }
    /// The VM ended, for `reason` ("normal" or the error report).
    func vmEnded(reason: String)
}

/// Something owned by a VM that must be released when the VM ends.
protocol VMResource: AnyObject {
    func release()
}

import CLuaJIT
import CMoonbaseShim

/// Something a suspended fiber waits on, which can give up the wait when the
/// fiber is interrupted or its VM ends (stop a timer, cancel a request, ...).
protocol FiberWait: AnyObject {
    /// Stops the pending operation so it never wakes `fiber`.
    func cancelWait(of fiber: Fiber)
    /// Like `cancelWait`, but may refuse (false) when the operation already
    /// completed elsewhere and its wake-up is on the way (a taken message).
    func tryCancelWait(of fiber: Fiber) -> Bool
    /// What the fiber waits on, in a deadlock report.
    func describeWait(of fiber: Fiber) -> String
    /// Whether a fiber stuck on this wait is part of a deadlock (an inbox
    /// nobody can send to any more is an actor's normal end instead).
    var isDeadlockWhenStuck: Bool { get }
}

extension FiberWait {
    func describeWait(of fiber: Fiber) -> String { "an event" }
    var isDeadlockWhenStuck: Bool { true }
    func tryCancelWait(of fiber: Fiber) -> Bool {
        cancelWait(of: fiber)
        return true
    }
}

/// One Lua coroutine run by the scheduler: the unit of concurrency inside a VM.
final class Fiber {
    enum State { case ready, running, suspended, finished, failed }

    let vm: VM  // strong: a queued fiber keeps its (maybe ended) VM valid
    let id: Int
    /// Where the VM's `liveFibers` holds this fiber (-1 once finished).
    var liveIndex = -1
    /// The coroutine; anchored in the registry by `threadRef` until its results
    /// (or error) have been taken.
    let thread: OpaquePointer
    private(set) var threadRef: Int32
    var state: State = .ready
    var detached = false
    /// joined, or its handle collected: nobody will ask for the outcome.
    var outcomeTaken = false
    var isMain = false
    /// A fiber waiting in `join` for this one.
    var joiner: Fiber?
    /// Lua handles alive for this fiber. `this_fiber` primitives (mutex, cv,
    /// channel waiters) push extra handles: only the last one's collection
    /// means nobody can join any more.
    var handleCount = 0

    var interruptionDisabled = 0
    /// `this_fiber.forbid_suspend()` depth: while > 0 every suspension point
    /// raises (checked once, in `VM.suspendingFiber`).
    var suspendForbidden = 0
    /// Registry ref of `this_fiber.local_`, made on first use.
    var localRef: Int32 = LUA_NOREF
    /// Sticky, as in Emilua: once interrupted, every later interruption
    /// point raises while interruption is enabled.
    var interruptRequested = false
    /// The fiber ended by an uncaught interruption (`interruption_caught`).
    var endedByInterruption = false
    /// `join` took the outcome (`interruption_caught` is readable only then).
    var joined = false
    /// What a wait in `suspend()` is for (`SuspendKind`), for deadlock reports.
    var suspendKind: Int = 0
    /// What this fiber waits on while suspended.
    private(set) var waitingOn: FiberWait?
    private(set) var waitIsExternal = false
    /// Bumped at every suspension, so a late completion of an abandoned wait
    /// cannot wake the fiber from a later one.
    private(set) var waitSerial: UInt64 = 0

    /// The error report of a failed fiber nobody joined yet: printed if its
    /// handle is collected without a join.
    var pendingReport: String?
    /// Registry ref of the error value of a failed fiber.
    var errorRef: Int32 = LUA_NOREF
    /// Lazily made timer for `time.sleep`, reused across sleeps.
    private var timer: FiberTimer?

    init(vm: VM, id: Int, thread: OpaquePointer, threadRef: Int32) {
        self.vm = vm
        self.id = id
        self.thread = thread
        self.threadRef = threadRef
    }

    var isAlive: Bool { state != .finished && state != .failed }

    /// Suspends the fiber for at least `seconds` (see `FiberTimer.sleep`).
    func sleep(seconds: Double) {
        let t = timer ?? FiberTimer(self)
        timer = t
        t.sleep(seconds: seconds)
    }

    /// Closes the fiber's timer (the fiber ended, or its VM did).
    func closeTimer() {
        timer?.close()
        timer = nil
    }

    /// If the fiber was interrupted and interruption is enabled, pushes the
    /// values that make the Lua wrapper raise `interrupted` and returns their
    /// count. The request stays: interruption is sticky.
    func takeInterruption(_ lua: LuaState) -> Int32? {
        guard interruptRequested, interruptionDisabled == 0 else { return nil }
        return vm.pushRaise(lua, "interrupted")
    }

    /// Marks the fiber suspended on `wait`. `external` says an event from
    /// outside the VM (I/O, timer, message) can end the wait; a VM whose live
    /// fibers all wait on internal things only (channels, mutexes) is stuck.
    /// Returns the serial a completion must present to `wake`.
    @discardableResult
    func suspend(on wait: FiberWait?, external: Bool) -> UInt64 {
        vm.assertConfined("Fiber.suspend")
        waitSerial &+= 1
        waitingOn = wait
        waitIsExternal = external
        state = .suspended
        if external { vm.externalWaits += 1 }
        return waitSerial
    }

    /// Makes the suspended fiber ready; `push` pushes the values its suspending
    /// call returns onto `lua` (the fiber's thread) and returns their count.
    /// Returns false (pushing nothing) if the fiber no longer waits for `serial`.
    @discardableResult
    func wake(serial: UInt64, _ push: (LuaState) -> Int32) -> Bool {
        vm.assertConfined("Fiber.wake")
        guard state == .suspended, serial == waitSerial else { return false }
        endWait()
        let n = push(LuaState(thread))
        vm.makeReady(self, nargs: n)
        return true
    }

    /// Wakes the current wait, whatever its serial.
    @discardableResult
    func wakeNow(_ push: (LuaState) -> Int32) -> Bool { wake(serial: waitSerial, push) }

    private func endWait() {
        if waitIsExternal { vm.externalWaits -= 1 }
        waitIsExternal = false
        waitingOn = nil
    }

    /// Interrupts a suspended wait: cancels it and resumes the fiber raising
    /// `interrupted`. Otherwise the request stays pending for the next wait.
    func interrupt() {
        guard isAlive else { return }
        if !interruptRequested {
            interruptRequested = true
            vm.interruptedFibers += 1
            vm.mirrorCounts()
        }
        if state == .suspended && interruptionDisabled == 0 && (waitingOn?.tryCancelWait(of: self) ?? true) {
            let vm = self.vm
            wakeNow { vm.pushRaise($0, "interrupted") }
        }
    }

    /// What the suspended fiber waits on (deadlock report); nil if not suspended on anything.
    var currentWait: FiberWait? { state == .suspended ? waitingOn : nil }

    /// Gives up the current wait at VM teardown. The wait is dropped too: an
    /// operation still pending in libuv may hold the fiber until its callback,
    /// and the fiber holding the operation back would make a cycle.
    func cancelWait() {
        waitingOn?.cancelWait(of: self)
        endWait()
    }

    /// Drops the registry anchors of the coroutine, its error value and its locals.
    func release(_ L: OpaquePointer) {
        if threadRef != LUA_NOREF {
            luaL_unref(L, mb_registryindex(), threadRef)
            threadRef = LUA_NOREF
        }
        if errorRef != LUA_NOREF {
            luaL_unref(L, mb_registryindex(), errorRef)
            errorRef = LUA_NOREF
        }
        dropLocal(L)
    }

    /// Drops `this_fiber.local_` (the fiber ended: nobody can reach it).
    func dropLocal(_ L: OpaquePointer) {
        if localRef != LUA_NOREF {
            luaL_unref(L, mb_registryindex(), localRef)
            localRef = LUA_NOREF
        }
    }
}

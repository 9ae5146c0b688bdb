import CLibUV
import DequeModule
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One OS thread, one libuv loop, and the fibers of every VM placed on it.
///
/// Everything here except `post` runs on the worker's own thread. Other threads
/// reach a worker only through `post`, which queues a job and wakes the loop
/// with its `WakeSignal` (coalesced: one wake-up drains the whole queue).
public final class Worker: @unchecked Sendable {
    public typealias Job = @Sendable (Worker) -> Void

    public let index: Int
    unowned let runtime: Runtime
    let loop: UnsafeMutablePointer<uv_loop_t>
    private var wakeup: WakeSignal!
    private let checkHandle = UVHandle<uv_check_t>()
    private let idleHandle = UVHandle<uv_idle_t>()
    private let prepareHandle = UVHandle<uv_prepare_t>()
    /// When jobs from other threads last arrived (see `beforePoll`).
    private var lastInboundAt: UInt64 = 0
    /// Jobs posted so far, and how many of them a drain has seen: lets a
    /// watching loop notice new jobs without taking the lock senders need.
    private let postedJobs = Atomic<Int>(0)
    private var seenJobs = 0
    private let inbound = Locked<[Job]>([])
    private var thread = pthread_t()
    private var ready = Deque<ReadyFiber>()
    private var idleActive = false
    /// Jobs for other workers produced by this worker's fibers, sent in one
    /// batch per target (one lock, one wake-up) when the ready pass ends.
    /// By target worker index (no hashing on this path); `outgoingTargets`
    /// lists the indices that have jobs waiting.
    private var outgoing: [[Job]] = []
    private var outgoingTargets: [Int] = []
    private var stopping = false
    private var handlesClosed = false
    /// VMs living on this worker, by id.
    var vms: [Int: VM] = [:]
    /// Where this loop's socket reads land (see `ReadScratch`).
    let readScratch = ReadScratch()

    struct ReadyFiber {
        let fiber: Fiber
        let nargs: Int32
    }

    init(index: Int, runtime: Runtime) {
        self.index = index
        self.runtime = runtime
        loop = .allocate(capacity: 1)
        uv_loop_init(loop)
        uv_check_init(loop, checkHandle.pointer)
        checkHandle.setOwner(self)
        uv_check_start(checkHandle.pointer, workerCheckCallback)
        // The check handle must not keep the loop alive by itself.
        uv_unref(checkHandle.base)
        uv_idle_init(loop, idleHandle.pointer)
        idleHandle.setOwner(self)
        uv_prepare_init(loop, prepareHandle.pointer)
        prepareHandle.setOwner(self)
        uv_prepare_start(prepareHandle.pointer, workerPrepareCallback)
        uv_unref(prepareHandle.base)
        wakeup = WakeSignal(loop: loop) { [unowned self] in self.drainInbound() }
    }

    deinit {
        uv_loop_close(loop)
        loop.deallocate()
    }

    // MARK: Thread

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { arg in
            let worker = Unmanaged<Worker>.fromOpaque(arg!).takeRetainedValue()
            worker.runLoop()
            return nil
        }, box)
        precondition(rc == 0, "moonbase: cannot start a worker thread (error \(rc))")
    }

    func join() { pthread_join(thread, nil) }

    private func runLoop() {
        bindCurrentThread()
        uv_run(loop, UV_RUN_DEFAULT)
    }

    /// Makes the calling thread this worker's own (its loop thread; unit
    /// tests that drive a VM directly).
    func bindCurrentThread() {
        pthread_setspecific(currentWorkerKey, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Whether the caller runs on this worker's thread.
    @inline(__always) var isCurrentThread: Bool {
        pthread_getspecific(currentWorkerKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Fails loudly (debug builds) when called off this worker's thread.
    @inline(__always) func assertConfined(_ what: @autoclosure () -> String = "") {
        assert(isCurrentThread,
               "confinement: \(what()) touched from a thread other than worker \(index)'s")
    }

    // MARK: Cross-thread jobs

    /// Runs `job` on this worker's thread soon. Callable from any thread.
    public func post(_ job: @escaping Job) {
        inbound.withLock { $0.append(job) }
        postedJobs.wrappingAdd(1, ordering: .releasing)
        wakeup.signal()
    }

    /// Posts a batch of jobs with one lock and one wake-up.
    private func post(batch jobs: [Job]) {
        inbound.withLock { $0.append(contentsOf: jobs) }
        postedJobs.wrappingAdd(jobs.count, ordering: .releasing)
        wakeup.signal()
    }

    /// Runs `job` on `target` soon, from the worker running the caller. A
    /// fiber streaming messages to another worker would otherwise pay a
    /// cross-thread wake-up per message; batched, the target wakes once per
    /// ready pass (or every `outgoingBatchLimit` jobs) with all of them.
    static func postFromCurrent(to target: Worker, _ job: @escaping Job) {
        guard let current = Worker.current, current !== target else {
            target.post(job)
            return
        }
        current.queueOutgoing(job, to: target)
    }

    private static let outgoingBatchLimit = 64

    private func queueOutgoing(_ job: @escaping Job, to target: Worker) {
        assertConfined("outgoing jobs")
        let index = target.index
        if outgoing.isEmpty { outgoing = Array(repeating: [], count: runtime.workers.count) }
        if outgoing[index].isEmpty { outgoingTargets.append(index) }
        outgoing[index].append(job)
        if outgoing[index].count >= Worker.outgoingBatchLimit {
            flushOutgoing(to: index)
            outgoingTargets.removeAll { $0 == index }
        } else if !idleActive {
            // Keep the loop from blocking in poll before the batch is sent.
            idleActive = true
            uv_idle_start(idleHandle.pointer, workerIdleCallback)
        }
    }

    private func flushOutgoing(to index: Int) {
        var jobs: [Job] = []
        swap(&jobs, &outgoing[index])
        if !jobs.isEmpty { runtime.workers[index].post(batch: jobs) }
    }

    private func flushAllOutgoing() {
        guard !outgoingTargets.isEmpty else { return }
        for index in outgoingTargets { flushOutgoing(to: index) }
        outgoingTargets.removeAll(keepingCapacity: true)
    }

    /// The worker whose thread runs the caller, if any.
    static var current: Worker? {
        guard let p = pthread_getspecific(currentWorkerKey) else { return nil }
        return Unmanaged<Worker>.fromOpaque(p).takeUnretainedValue()
    }

    fileprivate func drainInbound() {
        var jobs: [Job] = []
        seenJobs = postedJobs.load(ordering: .acquiring)
        inbound.withLock { swap(&jobs, &$0) }
        if !jobs.isEmpty { lastInboundAt = monotonicNanoseconds() }
        for job in jobs { job(self) }
        flushAllOutgoing()
        if stopping { closeHandles() }
    }

    /// How long a worker that had jobs from other threads in the last
    /// millisecond watches for more before its loop sleeps. A stream of
    /// messages from another worker then flows without a wake-up (an eventfd
    /// write and a sleeping thread's return) every few messages; an idle
    /// worker spins at most this long once, when it falls idle.
    private static let watchBeforeSleep: UInt64 = 20_000
    private static let recentInbound: UInt64 = 1_000_000

    /// Runs just before the loop polls: if it is about to block, watch briefly.
    fileprivate func beforePoll() {
        StdoutFlush.beforePoll(nowMilliseconds: uv_now(loop), willBlock: !idleActive)
        guard !idleActive, !stopping, lastInboundAt != 0,
              monotonicNanoseconds() &- lastInboundAt < Worker.recentInbound else { return }
        if wakeup.watch(for: Worker.watchBeforeSleep, hasWork: { postedJobs.load(ordering: .acquiring) != seenJobs }) {
            drainInbound()
        }
    }

    /// Asks the loop to end once its VMs are gone. Callable from any thread.
    func requestStop() {
        post { worker in worker.stopping = true }
    }

    private func closeHandles() {
        guard vms.isEmpty, !handlesClosed else { return }
        handlesClosed = true  // their memory goes with the close callbacks
        checkHandle.close()
        idleHandle.close()
        prepareHandle.close()
        if index == 0 { runtime.closeShutdownHandles() }
        for h in [UnsafeMutableRawPointer(wakeup.handle)] {
            let handle = h.assumingMemoryBound(to: uv_handle_t.self)
            if uv_is_closing(handle) == 0 { uv_close(handle, nil) }
        }
    }

    // MARK: Scheduler

    /// Queues `fiber` to be resumed with the `nargs` values already pushed on
    /// its thread. Resumption happens from the loop, never from inside another
    /// fiber's call, in FIFO order.
    @inline(__always) func enqueue(_ fiber: Fiber, nargs: Int32) {
        ready.append(ReadyFiber(fiber: fiber, nargs: nargs))
        if !idleActive {
            // An active idle handle makes the loop poll without blocking.
            idleActive = true
            uv_idle_start(idleHandle.pointer, workerIdleCallback)
        }
    }

    /// Queues `fiber` to run before every other ready fiber (lunet.spawn).
    func enqueueFirst(_ fiber: Fiber, nargs: Int32) {
        enqueue(fiber, nargs: nargs)
        ready.prepend(ready.removeLast())
    }

    /// Fibers made ready during a pass may run in the same pass up to this
    /// many resumptions in all, before the loop polls for I/O again: two
    /// fibers handing work back and forth would otherwise pay a poll
    /// (a syscall) per hand-over, while I/O still waits at most one pass.
    private static let resumesPerPass = 128

    /// Resumes the fibers that were ready when the pass began, and those made
    /// ready meanwhile while fewer than `resumesPerPass` ran; the rest wait
    /// for the next pass, after the loop polled for I/O.
    fileprivate func runReadyFibers() {
        var budget = max(ready.count, Worker.resumesPerPass)
        while budget > 0, let next = ready.popFirst() {
            budget -= 1
            next.fiber.vm.resume(next.fiber, nargs: next.nargs)
        }
        flushAllOutgoing()
        if ready.isEmpty && idleActive {
            idleActive = false
            uv_idle_stop(idleHandle.pointer)
        }
    }
}

private let workerCheckCallback: uv_check_cb = { handle in
    UVHandle.owner(of: handle, as: Worker.self)?.runReadyFibers()
}
private let workerPrepareCallback: uv_prepare_cb = { handle in
    UVHandle.owner(of: handle, as: Worker.self)?.beforePoll()
}
private let workerIdleCallback: uv_idle_cb = { handle in
    UVHandle.owner(of: handle, as: Worker.self)?.runReadyFibers()
}

/// Thread-specific slot holding the worker that runs on the current thread.
private let currentWorkerKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

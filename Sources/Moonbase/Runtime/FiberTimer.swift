import CLibUV

/// The timer a fiber sleeps on (`time.sleep`, timeouts): made at the fiber's
/// first sleep, reused by every later one, closed when the fiber ends.
final class FiberTimer: FiberWait {
    private unowned let fiber: Fiber
    private let handle = UVHandle<uv_timer_t>()
    private var waiting = WaitingFiber()

    init(_ fiber: Fiber) {
        self.fiber = fiber
        uv_timer_init(fiber.vm.worker.loop, handle.pointer)
        handle.setOwner(self)
    }

    /// Suspends the fiber for at least `seconds` (finite, >= 0).
    ///
    /// libuv counts from the loop's cached time, in whole milliseconds rounded
    /// down: the clock is refreshed first (else a sleep started after a long
    /// computation began in the past and ended early), and a non-zero sleep
    /// gets one more millisecond so it never ends before its duration.
    func sleep(seconds: Double) {
        let loop = fiber.vm.worker.loop
        uv_update_time(loop)
        let ms = seconds <= 0 ? 0 : UInt64(min((seconds * 1000).rounded(.up), 1e12)) + 1
        waiting.park(fiber, on: self)
        uv_timer_start(handle.pointer, fiberTimerCallback, ms, 0)
    }

    fileprivate func fired() { waiting.wake { _ in 0 } }

    func cancelWait(of fiber: Fiber) {
        waiting.cancel(fiber)
        uv_timer_stop(handle.pointer)
    }

    func close() { handle.close() }
}

private let fiberTimerCallback: uv_timer_cb = { handle in
    UVHandle.owner(of: handle, as: FiberTimer.self)?.fired()
}

import CLibUV
import CMoonbaseShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Wakes a worker's loop from another thread: an eventfd watched by the loop
/// plus a flag that keeps signals already pending from costing a syscall.
///
/// Replaces `uv_async_t`, whose loop side spins (pause loop) while a sender
/// is between its flag and its write: under a stream of cross-worker
/// messages that spin took an eighth of the receiving core.
final class WakeSignal: @unchecked Sendable {
    private let fd: Int32
    private let poll: UnsafeMutablePointer<uv_poll_t>
    private let pending = Atomic<Bool>(false)
    private let onSignal: () -> Void

    /// `onSignal` runs on the loop's thread after one or more `signal()`s.
    init(loop: UnsafeMutablePointer<uv_loop_t>, onSignal: @escaping () -> Void) {
        fd = mb_eventfd()
        precondition(fd >= 0, "moonbase: cannot create an eventfd (errno \(errno))")
        self.onSignal = onSignal
        poll = .allocate(capacity: 1)
        uv_poll_init(loop, poll, fd)
        poll.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        uv_poll_start(poll, Int32(UV_READABLE.rawValue), wakeSignalCallback)
    }

    deinit {
        Glibc.close(fd)
        poll.deallocate()
    }

    /// Callable from any thread.
    func signal() {
        if !pending.exchange(true, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }
    }

    /// Called on the loop's thread before it would block: watches `hasWork`
    /// for up to `nanoseconds`, holding the flag meanwhile so that senders skip
    /// the eventfd write (and the loop its wake-up). True if work came.
    ///
    /// Clearing the flag and then looking once more closes the gap where a
    /// sender saw the flag held, skipped its write, and posted after the last
    /// look.
    func watch(for nanoseconds: UInt64, hasWork: () -> Bool) -> Bool {
        if pending.exchange(true, ordering: .sequentiallyConsistent) {
            return true  // a signal is on its way: the poll will not block
        }
        let deadline = monotonicNanoseconds() + nanoseconds
        var found = false
        repeat {
            if hasWork() { found = true; break }
            for _ in 0..<32 { mb_spin_pause() }
        } while monotonicNanoseconds() < deadline
        pending.store(false, ordering: .sequentiallyConsistent)
        return found || hasWork()
    }

    fileprivate func fired() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
        // Cleared before the work is looked at: a signal sent from here on
        // writes again, so nothing posted meanwhile is left unseen.
        pending.store(false, ordering: .sequentiallyConsistent)
        onSignal()
    }

    /// The handle to close with the loop's other handles.
    var handle: UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(poll).assumingMemoryBound(to: uv_handle_t.self)
    }
}

private let wakeSignalCallback: uv_poll_cb = { handle, _, _ in
    Unmanaged<WakeSignal>.fromOpaque(handle!.pointee.data).takeUnretainedValue().fired()
}

@inline(__always) func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

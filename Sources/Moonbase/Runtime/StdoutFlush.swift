import CMoonbaseShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Gets what `print` and `io.write` buffered in stdout to a pipe promptly
/// (docker, systemd, `| tee`): stdio flushes a pipe only when its buffer is
/// full, so a server's output would appear at exit. A loop flushes before it
/// sleeps, and a busy one at least every `interval` while output is pending.
enum StdoutFlush {
    static let interval: UInt64 = 100  // milliseconds
    /// When any loop last flushed (uv_now: one monotonic clock for every loop).
    private static let lastFlush = Atomic<UInt64>(0)

    /// Runs before a loop polls; `willBlock`: nothing is ready to run.
    @inline(__always)
    static func beforePoll(nowMilliseconds now: UInt64, willBlock: Bool) {
        guard mb_stdout_pending() > 0 else { return }
        guard willBlock || now &- lastFlush.load(ordering: .relaxed) >= interval else { return }
        lastFlush.store(now, ordering: .relaxed)
        mb_flush_stdout()
    }
}

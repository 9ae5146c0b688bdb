#if canImport(Glibc)
import Glibc
#endif

/// State shared between threads, behind a pthread mutex.
///
/// A pthread mutex rather than `Synchronization.Mutex`: the thread sanitizer
/// understands pthread locks (it reported false races through Mutex's futex),
/// and the sanitizer runs are part of the rules. Hold it only for short
/// bookkeeping: never across Lua calls or I/O.
final class Locked<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        // Adaptive: spins briefly before sleeping. The sections are a few
        // dozen instructions, so a contended lock is usually free again
        // sooner than a futex sleep and wake-up take.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}

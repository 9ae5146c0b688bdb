import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listener out of file descriptors (EMFILE/ENFILE).
///
/// libuv keeps one spare descriptor per loop to shed a connection when accept
/// fails this way; with one loop per worker, the loops steal each other's
/// spare, and a loop without one retries accept in a tight loop forever. So
/// the listener keeps a duplicate of its listening socket (`reserveFd`, one
/// descriptor per listener), and on EMFILE closes its libuv handle (which ends
/// libuv's retry loop; the socket lives on in the duplicate, the kernel queues
/// new connections in the backlog and refuses them once it is full), logs once,
/// and retries with a growing back-off (10 ms doubling to 1 s, no CPU used
/// meanwhile) until a descriptor is free to listen on again.
struct ListenerPause {
    var reserveFd: Int32 = -1
    private(set) var isPaused = false
    /// Loop time (ms) of the next try.
    var retryAt: UInt64 = 0
    var backoffMs: UInt64 = ListenerPause.firstBackoffMs
    /// Loop time (ms) of the last pause: a pause within a minute of it is not logged again.
    var lastPauseAt: UInt64 = 0
    static let firstBackoffMs: UInt64 = 10
    static let maxBackoffMs: UInt64 = 1000

    mutating func begin(now: UInt64) -> Bool {
        isPaused = true
        let log = lastPauseAt == 0 || now >= lastPauseAt + 60_000
        lastPauseAt = now
        retryAt = now + backoffMs
        return log
    }

    mutating func resumed() {
        isPaused = false
        backoffMs = ListenerPause.firstBackoffMs
    }

    mutating func failedRetry(now: UInt64) {
        backoffMs = min(backoffMs * 2, ListenerPause.maxBackoffMs)
        retryAt = now + backoffMs
    }

    /// Descriptor numbers from which the table counts as nearly full (the
    /// kernel hands out the lowest free number): the soft RLIMIT_NOFILE less
    /// a sixteenth (at least 16).
    static let nearlyFull: Int32 = {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0, r.rlim_cur < rlim_t(Int32.max) else { return Int32.max }
        let limit = Int32(r.rlim_cur)
        return limit - max(16, limit / 16)
    }()

    /// A connection was accepted on descriptor `fd`. Near the limit, libuv's
    /// own spare descriptor (one per loop, reopened by every handle init)
    /// goes: with it, libuv would shed pending connections silently and never
    /// report EMFILE, so the pause (and its log line) would not run.
    static func accepted(fd: Int32, loop: UnsafeMutablePointer<uv_loop_t>) {
        guard fd >= nearlyFull, loop.pointee.emfile_fd >= 0 else { return }
        Glibc.close(loop.pointee.emfile_fd)
        loop.pointee.emfile_fd = -1
    }

    /// The listener closed: the reserve goes.
    mutating func end() {
        if reserveFd >= 0 { Glibc.close(reserveFd) }
        reserveFd = -1
        isPaused = false
    }
}

extension SocketListener {
    /// Keeps a duplicate of the listening socket for pauses (after `listen`).
    func reserveDescriptor() {
        var fd: uv_os_fd_t = -1
        guard uv_fileno(UnsafeMutableRawPointer(stream).assumingMemoryBound(to: uv_handle_t.self), &fd) == 0 else { return }
        pause.reserveFd = fcntl(fd, F_DUPFD_CLOEXEC, 0)
    }

    /// Accept failed with EMFILE/ENFILE (called inside libuv's accept loop).
    func pauseAccepting(_ status: Int32) {
        guard pause.reserveFd >= 0, !pause.isPaused else {
            // No reserve (it could not be made): wait for a free descriptor
            // with the handle closed anyway, or libuv spins; the listener ends.
            acceptor.wake { lua in lua.pushFailure(uvErrorName(status)) }
            close()
            return
        }
        let t = ownTimer()
        deferred = false
        detachHandle()
        if pause.begin(now: t.now) {
            Runtime.writeError("moonbase: socket.listen: out of file descriptors (\(uvErrorName(status))): "
                + "accepting paused until one is free\n")
        }
        t.arm(at: pause.retryAt)
    }

    /// Listens again on a duplicate of the reserve, if a descriptor is free.
    func tryResume() {
        guard let t = timer else { return }
        let fd = fcntl(pause.reserveFd, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { pause.failedRetry(now: t.now); return }
        if reopen(fd: fd) < 0 {
            Glibc.close(fd)
            pause.failedRetry(now: t.now)
            return
        }
        if relisten() < 0 {
            pause.failedRetry(now: t.now)
            detachHandle()
            return
        }
        pause.resumed()
    }
}

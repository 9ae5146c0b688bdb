#if canImport(Glibc)
import Glibc
#endif

/// Error reports and logs on their way to stderr, written by a thread of
/// their own: a loop thread only queues, so a stderr nobody reads (a full
/// pipe) can never stop a loop.
///
/// The queue is bounded (`capacity` bytes): a report that does not fit is
/// dropped and counted, and the count is reported once the queue drains. A
/// report longer than `maxReportBytes` is cut to it, with a note saying how
/// much was cut. docs/API.md ("Logs") documents both numbers.
///
/// `require 'log'` writes to `shared` (stderr) or to one `ErrorLog` per log
/// file (`forFile`), each with a writer thread of its own. Every log lives
/// for the whole process: the table of logs is never shrunk, so a writer
/// thread finds its log by index.
public final class ErrorLog: @unchecked Sendable {
    public static let shared = ErrorLog(fd: 2, index: 0, what: "error reports")
    /// Every log, `shared` first; a writer thread is given its log's index.
    private static let all = Locked<[ErrorLog]>([shared])

    /// The most bytes of one report that reach stderr.
    public static let maxReportBytes = 16 * 1024
    /// The most bytes waiting for stderr at once.
    public static let capacity = 1024 * 1024

    private struct State {
        var queue: [[UInt8]] = []
        var queuedBytes = 0
        var dropped = 0
        /// The writer holds a batch it took from the queue.
        var writing = false
        var threadStarted = false
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state = State()
    private let fd: Int32
    private let index: Int
    /// What the lines are, for the note on dropped ones.
    private let what: String
    /// The path of a log file (nil: stderr).
    private var path: String?

    private init(fd: Int32, index: Int, what: String) {
        self.fd = fd
        self.index = index
        self.what = what
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    /// The log writing to the file at `path` (opened for appending, created
    /// with mode 0644), shared by every VM naming the same path; or the
    /// reason it cannot be opened (errno's name, as libuv spells it).
    /// Opening is the one synchronous step, done once per path.
    static func forFile(_ path: String) -> Result<ErrorLog, OpenFailure> {
        all.withLock { logs in
            if let log = logs.first(where: { $0.path == path }) { return .success(log) }
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return .failure(OpenFailure(errno: errno)) }
            let log = ErrorLog(fd: fd, index: logs.count, what: "log lines")
            log.path = path
            logs.append(log)
            return .success(log)
        }
    }

    struct OpenFailure: Error { let errno: Int32 }

    /// The log `forFile` gave `index` for (0: `shared`).
    static func log(at index: Int) -> ErrorLog? {
        all.withLock { index >= 0 && index < $0.count ? $0[index] : nil }
    }

    /// This log's place in the table of logs (what `log(at:)` takes).
    var number: Int { index }

    /// `flush(within:)` for every log, together at most `seconds`.
    static func flushAll(within seconds: Double) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9 + seconds
        for log in all.withLock({ $0 }) {
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let left = end - (Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9)
            log.flush(within: max(0, left))
        }
    }

    /// Queues `text` for stderr; never blocks on I/O. Any thread.
    public func write(_ text: String) {
        let bytes = ErrorLog.cut(text)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard state.queuedBytes + bytes.count <= ErrorLog.capacity else {
            state.dropped += 1
            return
        }
        state.queue.append(bytes)
        state.queuedBytes += bytes.count
        if !state.threadStarted {
            state.threadStarted = true
            startWriter()
        }
        pthread_cond_broadcast(changed)
    }

    /// Waits until everything queued is written, at most `seconds` (a stderr
    /// nobody reads must not keep the process from exiting). Returns whether
    /// the queue drained.
    @discardableResult
    public func flush(within seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanos = Int(deadline.tv_nsec) + Int(seconds * 1e9)
        deadline.tv_sec += nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !state.queue.isEmpty || state.writing || state.dropped > 0 {
            if !state.threadStarted { return true }
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { return false }
        }
        return true
    }

    /// `bytes`, or its first `maxReportBytes` and a note of how many were cut.
    static func cut(_ text: String) -> [UInt8] {
        let count = text.utf8.count
        guard count > maxReportBytes else { return Array(text.utf8) }
        let note = "... (\(count - maxReportBytes) bytes cut)\n"
        return Array(text.utf8.prefix(maxReportBytes)) + Array(note.utf8)
    }

    private func startWriter() {
        var thread = pthread_t()
        // Logs live for the whole process: the thread is given its log's
        // index in `all` (plus one, so that it is never a null pointer).
        let rc = pthread_create(&thread, nil, { context in
            let index = Int(bitPattern: context) - 1
            ErrorLog.all.withLock { $0[index] }.runWriter()
            return nil
        }, UnsafeMutableRawPointer(bitPattern: index + 1))
        if rc == 0 { pthread_detach(thread) } else { state.threadStarted = false }
    }

    private func runWriter() {
        pthread_mutex_lock(mutex)
        while true {
            while state.queue.isEmpty && state.dropped == 0 { pthread_cond_wait(changed, mutex) }
            var batch: [[UInt8]] = []
            swap(&batch, &state.queue)
            state.queuedBytes = 0
            let dropped = state.dropped
            state.dropped = 0
            state.writing = true
            pthread_mutex_unlock(mutex)
            for bytes in batch { writeAll(bytes) }
            if dropped > 0 {
                writeAll(Array("moonbase: \(dropped) \(what) dropped (\(path ?? "stderr") too slow)\n".utf8))
            }
            pthread_mutex_lock(mutex)
            state.writing = false
            pthread_cond_broadcast(changed)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var rest = buf
            while !rest.isEmpty {
                let n = Glibc.write(fd, rest.baseAddress, rest.count)
                if n < 0 { if errno == EINTR { continue } else { return } }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }
}

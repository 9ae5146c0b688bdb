import CLibUV

/// What a `SocketTimer` calls when it fires.
protocol SocketTimerOwner: AnyObject {
    /// The timer fired at loop time `now` (ms); the owner checks its deadlines
    /// and calls `arm` again for the next one.
    func timerFired(now: UInt64)
}

/// The one timer of a socket, made at its first timed wait and reused for
/// every later one (read and write deadlines, accept timeouts, a paused
/// listener's back-off).
///
/// Arming is lazy so the per-request path costs no libuv call: a later
/// deadline than the one pending leaves the timer alone (it fires early, the
/// owner finds nothing expired and re-arms), and a cleared deadline does not
/// stop it.
final class SocketTimer {
    private let handle = UVHandle<uv_timer_t>()
    /// Strong until `close` (the owner closes its timer when it closes): a
    /// weak reference would give every connection a side table and slow each
    /// of its retains and releases on the request path.
    private var owner: SocketTimerOwner?
    private let loop: UnsafeMutablePointer<uv_loop_t>
    /// Loop time (ms) the timer is due at; 0 when stopped.
    private var due: UInt64 = 0

    init(loop: UnsafeMutablePointer<uv_loop_t>, owner: SocketTimerOwner) {
        self.loop = loop
        self.owner = owner
        uv_timer_init(loop, handle.pointer)
        handle.setOwner(self)
        // A pending timeout must not keep a finished program alive.
        uv_unref(handle.base)
    }

    /// The loop's time in ms (cached by libuv once per iteration).
    var now: UInt64 { uv_now(loop) }

    /// Makes sure the timer fires no later than loop time `deadline` (ms).
    func arm(at deadline: UInt64) {
        if due != 0 && due <= deadline { return }
        due = deadline
        let n = now
        uv_timer_start(handle.pointer, socketTimerCallback, deadline > n ? deadline - n : 0, 0)
    }

    fileprivate func fired() {
        due = 0
        owner?.timerFired(now: now)
    }

    func close() {
        owner = nil
        handle.close()
    }

    /// Loop time `seconds` from now (ms). The loop's clock is refreshed first
    /// and a millisecond added (libuv rounds down), so a timeout never ends early.
    func deadline(after seconds: Double) -> UInt64 {
        uv_update_time(loop)
        return now + UInt64((seconds * 1000).rounded(.up)) + 1
    }
}

private let socketTimerCallback: uv_timer_cb = { handle in
    UVHandle.owner(of: handle, as: SocketTimer.self)?.fired()
}

/// Timeout arguments: seconds, finite, 0 (no timeout) up to `maxTimeout`.
enum SocketTimeout {
    static let maxSeconds = 2147483647.0

    /// The optional timeout at argument `i` (nil when absent).
    static func optional(_ lua: LuaState, _ i: Int32, _ function: String, _ name: String) throws(LuaError) -> Double? {
        guard let s = try lua.optNumber(i, function, name) else { return nil }
        guard s >= 0, s <= maxSeconds else {
            throw LuaError("\(function): bad argument #\(i) '\(name)' (seconds from 0 to 2^31-1 expected, got \(s))")
        }
        return s
    }
}

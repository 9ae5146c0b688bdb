import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A pending libuv send (`uv_write_t` for streams, `uv_udp_send_t` for UDP):
/// owns a copy of the bytes and the request until libuv's callback, which
/// calls `complete`. Retained by the request (`req.data`) meanwhile.
final class PendingSend<Request>: FiberWait {
    let fiber: Fiber
    var serial: UInt64 = 0
    var cancelled = false
    let req = UnsafeMutablePointer<Request>.allocate(capacity: 1)
    let data: UnsafeMutableRawPointer
    let count: Int

    init(fiber: Fiber, bytes: UnsafeRawBufferPointer) {
        self.fiber = fiber
        count = bytes.count
        data = malloc(max(count, 1))!
        if count > 0 { memcpy(data, bytes.baseAddress!, count) }
    }

    deinit {
        free(data)
        req.deallocate()
    }

    func cancelWait(of fiber: Fiber) { cancelled = true }

    /// libuv finished with the request: wake the sender with `true` or
    /// `nil, err` (nobody to wake once cancelled).
    func complete(status: Int32) {
        guard !cancelled else { return }
        fiber.wake(serial: serial) { lua in
            if status < 0 { return SocketModule.fail(lua, SocketModule.errName(status)) }
            lua.push(true)
            return 1
        }
    }
}

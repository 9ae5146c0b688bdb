import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A pending libuv send (`uv_write_t` for streams, `uv_udp_send_t` for UDP):
/// owns a copy of the bytes and the request until libuv's callback. `start`
/// is the one place that hands the request to libuv, `complete(_:status:)`
/// the one place that takes it back; meanwhile the request's `data` holds a
/// retained reference to this object.
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

    /// Every libuv request starts with `void *data` (`UV_REQ_FIELDS`).
    private static func dataField(of req: UnsafeMutablePointer<Request>) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        UnsafeMutableRawPointer(req).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    /// Hands the request and a buffer over the copied bytes to `submit` (the
    /// libuv call); the request keeps this object alive until its callback.
    /// Returns `submit`'s status (negative: nothing pending, nothing retained).
    func start(_ submit: (UnsafeMutablePointer<Request>, UnsafePointer<uv_buf_t>) -> Int32) -> Int32 {
        var buf = uv_buf_init(data.assumingMemoryBound(to: CChar.self), UInt32(count))
        Self.dataField(of: req).pointee = Unmanaged.passRetained(self).toOpaque()
        let r = submit(req, &buf)
        if r < 0 { Unmanaged<PendingSend>.fromOpaque(Self.dataField(of: req).pointee!).release() }
        return r
    }

    /// libuv's callback for `req`: takes back the reference `start` gave it.
    static func complete(_ req: UnsafeMutablePointer<Request>, status: Int32) {
        Unmanaged<PendingSend>.fromOpaque(dataField(of: req).pointee!).takeRetainedValue().complete(status: status)
    }

    func cancelWait(of fiber: Fiber) { cancelled = true }

    /// libuv finished with the request: wake the sender with `true` or
    /// `nil, err` (nobody to wake once cancelled).
    private func complete(status: Int32) {
        guard !cancelled else { return }
        fiber.wake(serial: serial) { lua in
            if status < 0 { return UVError.fail(lua, UVError.name(status)) }
            lua.push(true)
            return 1
        }
    }
}

import CLibUV

/// A libuv handle owned by one Swift object (a timer, a socket, a poll).
///
/// Ownership, audited here once: the handle's memory is allocated here and
/// freed by libuv's close callback (`close`), never before, because libuv may
/// still touch it until then. `data` points back at the owner *unretained*:
/// the owner keeps the handle, and clears `data` when it closes it, so a late
/// callback finds no owner instead of a freed one.
struct UVHandle<Handle> {
    let pointer: UnsafeMutablePointer<Handle>

    init() { pointer = .allocate(capacity: 1) }

    /// The handle as libuv's base type (every handle type starts with its fields).
    var base: UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: uv_handle_t.self)
    }

    /// Points the handle back at `owner` (call after the `uv_*_init`).
    func setOwner(_ owner: AnyObject) {
        base.pointee.data = Unmanaged.passUnretained(owner).toOpaque()
    }

    /// The owner of a handle given to a callback, or nil once it was closed.
    @inline(__always)
    static func owner<Owner: AnyObject>(of handle: UnsafeMutablePointer<Handle>?, as: Owner.Type) -> Owner? {
        guard let handle else { return nil }
        guard let data = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self).pointee.data
        else { return nil }
        return Unmanaged<Owner>.fromOpaque(data).takeUnretainedValue()
    }

    /// Detaches the owner and closes the handle; its memory goes with the close callback.
    func close() {
        base.pointee.data = nil
        if uv_is_closing(base) == 0 { uv_close(base, freeHandleCallback) }
    }
}

/// Frees a handle's memory once libuv is done with it.
let freeHandleCallback: uv_close_cb = { handle in
    handle?.deallocate()
}

/// The stable short name of a libuv error ("ECONNREFUSED"); end of stream and
/// cancellation read as "closed", as every I/O module reports them.
func uvErrorName(_ code: Int32) -> String {
    if code == UV_EOF.rawValue || code == UV_ECANCELED.rawValue { return "closed" }
    return String(cString: uv_err_name(code))
}

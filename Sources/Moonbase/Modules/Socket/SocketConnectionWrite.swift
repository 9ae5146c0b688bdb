import CLibUV

extension SocketConnection {
    /// Writes all of `data`: at once when the kernel takes it, else with
    /// `uv_write` and the fiber waiting for completion (back-pressure).
    /// Returns true | nil, err; `function` names the Lua call in errors.
    /// `timeout`: seconds without progress before giving up (nil: `writeTimeout`).
    func write(_ lua: LuaState, _ data: UnsafeRawBufferPointer, _ function: String,
               timeout: Double? = nil) throws(LuaError) -> Int32 {
        try vm.checkSuspensionAllowed(function)
        if closed { return lua.pushFailure("closed") }
        let fiber = vm.currentFiber
        if let f = fiber, let n = f.takeInterruption(lua) { return n }
        if data.count == 0 { lua.push(true); return 1 }
        var offset = 0
        var b = uv_buf_init(UnsafeMutableRawPointer(mutating: data.baseAddress!).assumingMemoryBound(to: CChar.self),
                            UInt32(data.count))
        let r = uv_try_write(stream, &b, 1)
        if r >= 0 {
            offset = Int(r)
            if offset == data.count { lua.push(true); return 1 }
        } else if r != UV_EAGAIN.rawValue {
            return lua.pushFailure(uvErrorName(r))
        }
        guard let fiber else { throw LuaError("\(function): cannot suspend outside a fiber") }
        // The rest is copied: the Lua string may be collected before libuv is done.
        let op = PendingOperation<uv_write_t>(fiber: fiber)
        let rest = UnsafeRawBufferPointer(rebasing: data[offset...])
        guard let copy = op.keep(copyOf: rest) else { return lua.pushFailure(RawMemory.failure) }
        var buf = uv_buf_init(copy.assumingMemoryBound(to: CChar.self), UInt32(rest.count))
        let stream = self.stream
        if let e = op.start({ req in uv_write(req, stream, &buf, 1, writeCallback) }) {
            return lua.pushFailure(uvErrorName(e))
        }
        if let seconds = timeout ?? (writeTimeout > 0 ? writeTimeout : nil), seconds > 0 {
            setWriteDeadline(op, seconds)
            // Found through the request's stream, so the closure captures nothing.
            op.onCancel = { op in
                StreamSocket.owner(of: op.request.pointee.handle, as: SocketConnection.self)?.endWrite(op)
            }
        }
        return vm.yield(lua)
    }
}

/// A write finished: wake the writer with true | nil, err (nobody once its wait was given up).
private let writeCallback: uv_write_cb = { req, status in
    let op = PendingOperation<uv_write_t>.completed(req)
    StreamSocket.owner(of: req!.pointee.handle, as: SocketConnection.self)?.endWrite(op)
    op.wake { lua in
        if status < 0 { return lua.pushFailure(uvErrorName(status)) }
        lua.push(true)
        return 1
    }
}

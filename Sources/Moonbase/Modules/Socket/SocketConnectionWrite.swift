import CLibUV

extension SocketConnection {
    /// Writes all of `data`: at once when the kernel takes it, else with
    /// `uv_write` and the fiber waiting for completion (back-pressure).
    /// Returns true | nil, err; `function` names the Lua call in errors.
    /// `timeout`: seconds without progress before giving up (nil: `writeTimeout`).
    func write(_ lua: LuaState, _ data: UnsafeRawBufferPointer, _ function: String,
               timeout: Double? = nil) throws(LuaError) -> Int32 {
        try write(lua, head: data, body: UnsafeRawBufferPointer(start: nil, count: 0), stringAt: 0, function, timeout: timeout)
    }

    /// Writes `head` then `body`, the bytes of the Lua string at stack index
    /// `stringAt` (0: `body` is not a Lua string). What the kernel does not
    /// take at once waits in a `uv_write`: the rest of `head` copied, the rest
    /// of the string referenced, not copied (one big body sent to many
    /// connections is held once), while the fiber waits.
    func write(_ lua: LuaState, head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, stringAt: Int32,
               _ function: String, timeout: Double? = nil) throws(LuaError) -> Int32 {
        try vm.checkSuspensionAllowed(function)
        if closed { return lua.pushFailure("closed") }
        let fiber = vm.currentFiber
        if let f = fiber, let n = f.takeInterruption(lua) { return n }
        let total = head.count + body.count
        if total == 0 { lua.push(true); return 1 }
        let stream = self.stream
        var bufs = (piece(head, from: 0), piece(body, from: 0))
        let r = withUnsafeMutableBytes(of: &bufs) { raw in
            let b = raw.baseAddress!.assumingMemoryBound(to: uv_buf_t.self)
            return uv_try_write(stream, head.count == 0 ? b + 1 : b, head.count == 0 || body.count == 0 ? 1 : 2)
        }
        var offset = 0
        if r >= 0 {
            offset = Int(r)
            if offset == total { lua.push(true); return 1 }
        } else if r != UV_EAGAIN.rawValue {
            return lua.pushFailure(uvErrorName(r))
        }
        guard let fiber else { throw LuaError("\(function): cannot suspend outside a fiber") }
        let op = PendingOperation<uv_write_t>(fiber: fiber)
        bufs = (piece(head, from: offset), piece(body, from: max(0, offset - head.count)))
        if bufs.0.len > 0 {
            // The head is Swift memory gone when this returns: copied.
            let rest = UnsafeRawBufferPointer(rebasing: head[offset...])
            guard let copy = op.keep(copyOf: rest) else { return lua.pushFailure(RawMemory.failure) }
            bufs.0.base = copy.assumingMemoryBound(to: CChar.self)
        }
        if bufs.1.len > 0 {
            if stringAt != 0 {
                op.keep(luaStringAt: stringAt, of: vm, on: lua)
            } else {
                let rest = UnsafeRawBufferPointer(rebasing: body[max(0, offset - head.count)...])
                guard let copy = op.keep(copyOf: rest) else { return lua.pushFailure(RawMemory.failure) }
                bufs.1.base = copy.assumingMemoryBound(to: CChar.self)
            }
        }
        let skipHead = bufs.0.len == 0
        let count: UInt32 = skipHead || bufs.1.len == 0 ? 1 : 2
        let submitted = withUnsafeMutableBytes(of: &bufs) { raw in
            let b = raw.baseAddress!.assumingMemoryBound(to: uv_buf_t.self)
            let first = skipHead ? b + 1 : b
            return op.start({ req in uv_write(req, stream, first, count, writeCallback) })
        }
        if let e = submitted { return lua.pushFailure(uvErrorName(e)) }
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

/// The part of `bytes` from `offset` on, as a libuv buffer (empty past its end).
private func piece(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> uv_buf_t {
    guard offset < bytes.count, let base = bytes.baseAddress else { return uv_buf_init(nil, 0) }
    return uv_buf_init(UnsafeMutableRawPointer(mutating: base + offset).assumingMemoryBound(to: CChar.self),
                       UInt32(bytes.count - offset))
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

import CLibUV

/// A pending `uv_write`.
typealias WriteOp = PendingSend<uv_write_t>

extension SocketConnection {
    /// Writes all of `data`: at once when the kernel takes it, else with
    /// `uv_write` and the fiber waiting for completion (back-pressure).
    /// Returns true | nil, err; `function` names the Lua call in errors.
    func write(_ lua: LuaState, _ data: UnsafeRawBufferPointer, _ function: String) throws(LuaError) -> Int32 {
        if closed { return UVError.fail(lua, "closed") }
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
            return UVError.fail(lua, UVError.name(r))
        }
        guard let fiber else { throw LuaError("\(function): cannot suspend outside a fiber") }
        let op = WriteOp(fiber: fiber, bytes: UnsafeRawBufferPointer(rebasing: data[offset...]))
        let stream = self.stream
        let w = op.start { req, buf in uv_write(req, stream, buf, 1, writeCallback) }
        if w < 0 { return UVError.fail(lua, UVError.name(w)) }
        op.serial = fiber.suspend(on: op, external: true)
        return vm.yield(lua)
    }
}

private let writeCallback: uv_write_cb = { req, status in
    WriteOp.complete(req!, status: status)
}

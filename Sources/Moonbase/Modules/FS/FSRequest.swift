import CLibUV
import CLuaJIT

/// A `uv_fs_t` request made for a suspended fiber, through the shared
/// `PendingOperation`, followed by what its completion needs: the path errors
/// name, the file kept open, the buffer. Laid out after the `uv_fs_t` (which
/// comes first, so libuv and the operation see only it), that state costs no
/// allocation or lookup: the callback reaches it from the request it is given.
///
/// Who owns what: the operation owns this memory and frees it uninitialized;
/// `start` initializes it and `end` deinitializes it (releasing the file and
/// the path) and frees the buffer, exactly once: in the completion callback
/// (`finish`), or at once when libuv refused the request.
struct FSRequest {
    var uv = uv_fs_t()
    /// The path errors name (the file's path for requests on an fd).
    var path: String
    /// Kept open, and counted in flight, until the request ends.
    var file: FSFile?
    /// Read target, or the copy of the bytes to write.
    var buffer: UnsafeMutableRawPointer?
    var size = 0
    /// Bytes written so far: a write goes on after a short write.
    var written = 0
    var fd: Int32 = -1
    /// The fiber gave up waiting (interrupted, VM ended): a write stops there.
    var cancelled = false
}

typealias FSOperation = PendingOperation<FSRequest>

extension FSRequest {
    /// Starts a request for the calling fiber and suspends it; when libuv
    /// refuses it at once, returns nil, "CODE: path" without suspending.
    /// `buffer` (allocated by the caller with `RawMemory`) is freed when the request ends.
    static func start(_ lua: LuaState, _ name: String, path: String, file: FSFile? = nil,
                      buffer: UnsafeMutableRawPointer? = nil, size: Int = 0, on callback: uv_fs_cb,
                      _ submit: (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<uv_fs_t>, uv_fs_cb) -> Int32) throws(LuaError) -> Int32 {
        let vm = VM.from(lua)
        let fiber: Fiber
        do {
            fiber = try vm.suspendingFiber(name)
        } catch {
            RawMemory.free(buffer)
            throw error
        }
        if let n = fiber.takeInterruption(lua) { RawMemory.free(buffer); return n }
        assert(MemoryLayout<FSRequest>.offset(of: \FSRequest.uv) == 0, "uv_fs_t must come first")
        let op = FSOperation(fiber: fiber)
        op.request.initialize(to: FSRequest(path: path, file: file, buffer: buffer, size: size, fd: file?.usableFD ?? -1))
        op.onCancel = cancel
        let loop = vm.worker.loop
        if let rc = op.start({ submit(loop, uv($0), callback) }) {
            end(op.request)
            return FSModule.pushError(lua, rc, path)
        }
        file?.inflight += 1
        return vm.yield(lua)
    }

    /// The request as libuv knows it.
    @inline(__always)
    static func uv(_ request: UnsafeMutablePointer<FSRequest>) -> UnsafeMutablePointer<uv_fs_t> {
        UnsafeMutableRawPointer(request).assumingMemoryBound(to: uv_fs_t.self)
    }

    /// The request a libuv callback was given.
    @inline(__always)
    static func of(_ req: UnsafeMutablePointer<uv_fs_t>?) -> UnsafeMutablePointer<FSRequest> {
        UnsafeMutableRawPointer(req!).assumingMemoryBound(to: FSRequest.self)
    }

    /// Ends the request of a callback: wakes the fiber (unless it gave up)
    /// with the one value `push` pushes, or nil, "CODE: path" on failure.
    /// Returns whether the fiber took the result.
    @discardableResult
    static func finish(_ req: UnsafeMutablePointer<uv_fs_t>?,
                       _ push: (LuaState, FSOperation, _ result: Int) -> Void) -> Bool {
        let request = of(req)
        let op = FSOperation.completed(request)
        let result = request.pointee.uv.result
        request.pointee.file?.requestEnded()
        var taken = false
        op.wake { lua in
            taken = true
            if result < 0 { return FSModule.pushError(lua, Int32(result), request.pointee.path) }
            push(lua, op, result)
            return 1
        }
        op.onCancel = nil
        end(request)
        return taken
    }

    private static func end(_ request: UnsafeMutablePointer<FSRequest>) {
        uv_fs_req_cleanup(uv(request))
        RawMemory.free(request.pointee.buffer)
        request.deinitialize(count: 1)
    }

    /// The fiber gave up: libuv drops the request if no pool thread took it yet;
    /// either way its callback still comes, and wakes nobody.
    private static func cancel(_ op: FSOperation) {
        op.request.pointee.cancelled = true
        uv_cancel(UnsafeMutableRawPointer(op.request).assumingMemoryBound(to: uv_req_t.self))
    }

    /// After a short write, submits the rest on the same request (its `data`
    /// still holds the operation) before the fiber wakes. False when the write
    /// is over, or the rest could not be submitted (`result` then says why).
    static func continueWriting(_ request: UnsafeMutablePointer<FSRequest>, callback: uv_fs_cb) -> Bool {
        let result = request.pointee.uv.result
        guard !request.pointee.cancelled, result > 0,
              request.pointee.written + result < request.pointee.size else { return false }
        request.pointee.written += result
        let written = request.pointee.written
        let req = uv(request)
        uv_fs_req_cleanup(req)
        var buf = uv_buf_init(request.pointee.buffer!.advanced(by: written).assumingMemoryBound(to: CChar.self),
                              UInt32(request.pointee.size - written))
        let rc = uv_fs_write(req.pointee.loop, req, request.pointee.fd, &buf, 1, -1, callback)
        if rc >= 0 { return true }
        req.pointee.result = Int(rc)
        return false
    }

    /// Closes `fd` without anyone waiting; the request frees itself.
    static func closeDetached(_ fd: Int32, loop: UnsafeMutablePointer<uv_loop_t>) {
        let req = UnsafeMutablePointer<uv_fs_t>.allocate(capacity: 1)
        if uv_fs_close(loop, req, fd, freeDetachedRequest) < 0 { req.deallocate() }
    }
}

private let freeDetachedRequest: uv_fs_cb = { req in
    guard let req else { return }
    uv_fs_req_cleanup(req)
    req.deallocate()
}

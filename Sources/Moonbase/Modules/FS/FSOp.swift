import CLibUV
import CLuaJIT

/// One `uv_fs_t` request made for a suspended fiber. It owns the request and
/// its buffer until libuv's callback, even when the fiber stopped waiting
/// (interruption, VM end): the callback then only frees them (and closes an fd
/// a cancelled open produced). While libuv holds the request, `req.data` is
/// one retain of the op, taken back by `fsCallback`.
final class FSOp: FiberWait {
    enum Kind { case open, read, write, close, stat, scandir, path, done }

    let req: UnsafeMutablePointer<uv_fs_t>
    let kind: Kind
    let path: String
    /// Dropped when the request ends: a fiber left suspended on this op (its VM
    /// ended) still points here, so holding it longer would be a cycle.
    private var fiber: Fiber?
    let loop: UnsafeMutablePointer<uv_loop_t>
    var serial: UInt64 = 0
    var file: FSFile?
    let buffer: UnsafeMutableRawPointer?
    let size: Int
    var written = 0
    /// The fd a write continues on after a short write.
    var fd: Int32 = -1
    var cancelled = false

    init(kind: Kind, path: String, fiber: Fiber, file: FSFile?, buffer: UnsafeMutableRawPointer?, size: Int) {
        req = .allocate(capacity: 1)
        self.kind = kind
        self.path = path
        self.fiber = fiber
        self.loop = fiber.vm.worker.loop
        self.file = file
        self.buffer = buffer
        self.size = size
    }

    /// Starts the request for the current fiber and suspends it; on an immediate
    /// failure returns nil, err without suspending.
    static func start(_ lua: LuaState, _ name: String, _ kind: Kind, path: String,
                      file: FSFile? = nil, buffer: UnsafeMutableRawPointer? = nil, size: Int = 0,
                      _ begin: (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<uv_fs_t>, uv_fs_cb) -> Int32) throws(LuaError) -> Int32 {
        let vm = VM.from(lua)
        let fiber: Fiber
        do {
            fiber = try vm.suspendingFiber(name)
        } catch {
            buffer?.deallocate()
            throw error
        }
        if let n = fiber.takeInterruption(lua) { buffer?.deallocate(); return n }
        let op = FSOp(kind: kind, path: path, fiber: fiber, file: file, buffer: buffer, size: size)
        op.fd = file?.usableFD ?? -1
        op.req.pointee.data = Unmanaged.passRetained(op).toOpaque()
        let rc = begin(vm.worker.loop, op.req, fsCallback)
        if rc < 0 {
            // No callback will come.
            Unmanaged<FSOp>.fromOpaque(op.req.pointee.data).release()
            op.free()
            if kind == .close { file?.forgetFD() }
            return FSModule.pushError(lua, rc, path)
        }
        file?.inflight += 1
        op.serial = fiber.suspend(on: op, external: true)
        return vm.yield(lua)
    }

    func cancelWait(of fiber: Fiber) {
        cancelled = true
        uv_cancel(UnsafeMutableRawPointer(req).assumingMemoryBound(to: uv_req_t.self))
    }

    fileprivate func completed() {
        let result = req.pointee.result
        if kind == .write && !cancelled && result > 0 && written + result < size {
            // Short write: go on with the rest before waking the fiber.
            written += result
            uv_fs_req_cleanup(req)
            var buf = uv_buf_init(buffer!.advanced(by: written).assumingMemoryBound(to: CChar.self), UInt32(size - written))
            req.pointee.data = Unmanaged.passRetained(self).toOpaque()
            let rc = uv_fs_write(loop, req, fd, &buf, 1, -1, fsCallback)
            if rc >= 0 { return }
            Unmanaged<FSOp>.fromOpaque(req.pointee.data).release()
            req.pointee.result = Int(rc)
            finish(result: Int(rc))
            return
        }
        finish(result: result)
    }

    private func finish(result: Int) {
        file?.requestEnded()
        var woke = false
        if !cancelled, let fiber {
            let vm = fiber.vm
            woke = fiber.wake(serial: serial) { lua in
                if result < 0 { return FSModule.pushError(lua, Int32(result), path) }
                switch kind {
                case .open:
                    FSModule.pushFile(vm, openedFile(Int32(result), vm), onto: lua)
                case .read:
                    lua.push(bytes: UnsafeRawBufferPointer(start: buffer, count: result))
                case .stat:
                    FSModule.pushStat(lua, req.pointee.statbuf)
                case .scandir:
                    FSModule.pushEntries(lua, req, count: result)
                case .path:
                    // The bytes as the kernel gave them (a name need not be UTF-8).
                    lua_pushstring(lua.L, req.pointee.ptr.assumingMemoryBound(to: CChar.self))
                case .close:
                    file?.forgetFD()
                    lua.push(true)
                case .write, .done:
                    lua.push(true)
                }
                return 1
            }
        }
        if !woke && kind == .open && result >= 0 {
            // Nobody takes this fd any more (interrupted, VM ended).
            FSOp.closeDetached(Int32(result), loop: loop)
        }
        free()
    }

    private func openedFile(_ fd: Int32, _ vm: VM) -> FSFile {
        let f = FSFile(fd: fd, path: path, loop: vm.worker.loop)
        vm.register(f)
        return f
    }

    fileprivate func free() {
        uv_fs_req_cleanup(req)
        req.deallocate()
        buffer?.deallocate()
        file = nil
        fiber = nil
    }

    /// Closes `fd` without anyone waiting; the request frees itself.
    static func closeDetached(_ fd: Int32, loop: UnsafeMutablePointer<uv_loop_t>) {
        let req = UnsafeMutablePointer<uv_fs_t>.allocate(capacity: 1)
        if uv_fs_close(loop, req, fd, freeFSRequest) < 0 { req.deallocate() }
    }
}

private let fsCallback: uv_fs_cb = { req in
    guard let req, let data = req.pointee.data else { return }
    Unmanaged<FSOp>.fromOpaque(data).takeRetainedValue().completed()
}

private let freeFSRequest: uv_fs_cb = { req in
    guard let req else { return }
    uv_fs_req_cleanup(req)
    req.deallocate()
}

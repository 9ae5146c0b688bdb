import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// `require 'fs'`: files and folders through `uv_fs_*` requests, so only the
/// calling fiber waits. Policy (modes, readfile, writefile, recursive mkdir)
/// lives in the Lua source; Swift starts requests and pushes their results.
enum FSModule {
    static let fileMetatable = MetatableName("moonbase.fs.file")
    /// Largest single `read` (bytes); a bigger request returns at most this much.
    static let maxRead = 64 << 20

    static let definition = LuaModule(name: "fs", functions: [
        ("open", open), ("read", read), ("write", write), ("close", close),
        ("fsync", fsync), ("fstat", fstat), ("seek", seek), ("tell", tell),
        ("stat", stat), ("lstat", lstat), ("scandir", scandir), ("realpath", realpath),
        ("mkdir", mkdir), ("rmdir", rmdir), ("unlink", unlink), ("rename", rename),
        ("set_file_metatable", setFileMetatable), ("gc", collect), ("tostring", describe),
    ], source: fsSource)

    /// `require 'lunet.fs'`: Lunet's names; `close` returns nil on success or the error.
    static let lunetDefinition = LuaModule(name: "lunet.fs", source: """
        local fs = require('fs')
        local m = {}
        for k, v in pairs(fs) do m[k] = v end
        function m.close(file)
          local ok, err = fs.close(file)
          if ok then return nil end
          return err
        end
        return m
        """)

    // MARK: Lua functions

    // open(path, mode) -> file | nil, err   (mode parsed here; bad mode raises)
    static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let path = try lua.checkString(1, "fs.open", "path")
            let mode = try lua.optString(2, "fs.open", "mode") ?? "r"
            guard let flags = openFlags(mode) else {
                throw LuaError("fs.open: bad argument #2 'mode' (invalid mode '\(mode)')")
            }
            return try FSOp.start(lua, "fs.open", .open, path: path) { loop, req, cb in
                uv_fs_open(loop, req, path, flags | O_CLOEXEC, 0o666, cb)
            }
        }
    }

    /// io.open's modes: r w a, optional '+', optional 'b' (any order after the letter).
    static func openFlags(_ mode: String) -> Int32? {
        var chars = Array(mode.utf8)
        guard let first = chars.first else { return nil }
        chars.removeFirst()
        var plus = false, binary = false
        for c in chars {
            if c == UInt8(ascii: "+") && !plus { plus = true }
            else if c == UInt8(ascii: "b") && !binary { binary = true }
            else { return nil }
        }
        switch first {
        case UInt8(ascii: "r"): return plus ? O_RDWR : O_RDONLY
        case UInt8(ascii: "w"): return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC
        case UInt8(ascii: "a"): return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND
        default: return nil
        }
    }

    // read(file, n) -> data ("" at end of file) | nil, err
    static let read: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let file = try checkFile(lua, vm, 1, "fs.read")
            let n = try lua.optInteger(2, "fs.read", "n") ?? 65536
            guard n >= 0 else { throw LuaError("fs.read: bad argument #2 'n' (non-negative integer expected, got \(n))") }
            guard let fd = file.usableFD else { return closedError(lua) }
            let size = min(n, maxRead)
            if size == 0 { lua.push(""); return 1 }
            // Same checks as a suspending call first, so the fast path is invisible.
            let fiber = try vm.suspendingFiber("fs.read")
            if let n = fiber.takeInterruption(lua) { return n }
            if file.inflight == 0, let got = PageCacheRead.attempt(fd: fd, size: size) {
                lua.push(bytes: UnsafeRawBufferPointer(start: PageCacheRead.buffer, count: got))
                // No suspension happened: now and then the Lua wrapper yields
                // (this_fiber.yield), so a fiber reading cached data lets others run.
                if PageCacheRead.shouldGiveWay() { lua.push(true); return 2 }
                return 1
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            return try FSOp.start(lua, "fs.read", .read, path: file.path, file: file,
                                  buffer: buffer, size: size) { loop, req, cb in
                var buf = uv_buf_init(buffer.assumingMemoryBound(to: CChar.self), UInt32(size))
                return uv_fs_read(loop, req, fd, &buf, 1, -1, cb)
            }
        }
    }

    // write(file, data) -> true | nil, err   (all of data, continuing after short writes)
    static let write: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let file = try checkFile(lua, vm, 1, "fs.write")
            let data = try lua.checkBytes(2, "fs.write", "data")
            guard let fd = file.usableFD else { return closedError(lua) }
            if data.count == 0 { lua.push(true); return 1 }
            // libuv reads the bytes later, on a pool thread: copy them out of Lua.
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 16)
            buffer.copyMemory(from: data.baseAddress!, byteCount: data.count)
            let size = data.count
            return try FSOp.start(lua, "fs.write", .write, path: file.path, file: file,
                                  buffer: buffer, size: size) { loop, req, cb in
                var buf = uv_buf_init(buffer.assumingMemoryBound(to: CChar.self), UInt32(size))
                return uv_fs_write(loop, req, fd, &buf, 1, -1, cb)
            }
        }
    }

    // close(file) -> true | nil, err
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let file = try checkFile(lua, vm, 1, "fs.close")
            guard let fd = file.usableFD else { return closedError(lua) }
            vm.unregister(file)
            if file.inflight > 0 {
                // Another fiber's request still uses the fd: close it when that ends.
                file.markClosed()
                file.closeWhenIdle()
                lua.push(true)
                return 1
            }
            file.markClosed()
            return try FSOp.start(lua, "fs.close", .close, path: file.path) { loop, req, cb in
                uv_fs_close(loop, req, fd, cb)
            }
        }
    }

    static let fsync: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.fsync")
            guard let fd = file.usableFD else { return closedError(lua) }
            return try FSOp.start(lua, "fs.fsync", .done, path: file.path, file: file) { loop, req, cb in
                uv_fs_fsync(loop, req, fd, cb)
            }
        }
    }

    static let fstat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.fstat")
            guard let fd = file.usableFD else { return closedError(lua) }
            return try FSOp.start(lua, "fs.fstat", .stat, path: file.path, file: file) { loop, req, cb in
                uv_fs_fstat(loop, req, fd, cb)
            }
        }
    }

    // seek(file, whence, offset) -> position | nil, err
    static let seek: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.seek")
            let whenceName = try lua.optString(2, "fs.seek", "whence") ?? "cur"
            let offset = try lua.optInteger(3, "fs.seek", "offset") ?? 0
            return try moveOffset(lua, file, whenceName, offset)
        }
    }

    // tell(file) -> position | nil, err
    static let tell: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.tell")
            return try moveOffset(lua, file, "cur", 0)
        }
    }

    /// lseek only moves the file offset in the kernel (no disk I/O): it runs in place.
    static func moveOffset(_ lua: LuaState, _ file: FSFile, _ whenceName: String, _ offset: Int) throws(LuaError) -> Int32 {
        let whence: Int32
        switch whenceName {
        case "set": whence = SEEK_SET
        case "cur": whence = SEEK_CUR
        case "end": whence = SEEK_END
        default: throw LuaError("fs.seek: bad argument #2 'whence' (\"set\", \"cur\" or \"end\" expected, got \"\(whenceName)\")")
        }
        guard let fd = file.usableFD else { return closedError(lua) }
        let pos = lseek(fd, off_t(offset), whence)
        if pos < 0 { return pushError(lua, -errno, file.path) }
        lua.push(Int(pos))
        return 1
    }

    static func pathOp(_ lua: LuaState, _ name: String, _ kind: FSOp.Kind,
                       _ start: @escaping (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<uv_fs_t>, String, uv_fs_cb) -> Int32) throws(LuaError) -> Int32 {
        let path = try lua.checkString(1, name, "path")
        return try FSOp.start(lua, name, kind, path: path) { loop, req, cb in start(loop, req, path, cb) }
    }

    static let stat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.stat", .stat) { uv_fs_stat($0, $1, $2, $3) } }
    }
    static let lstat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.lstat", .stat) { uv_fs_lstat($0, $1, $2, $3) } }
    }
    static let scandir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.scandir", .scandir) { uv_fs_scandir($0, $1, $2, 0, $3) } }
    }
    // realpath(path) -> absolute path with every link, "." and ".." resolved
    static let realpath: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.realpath", .path) { uv_fs_realpath($0, $1, $2, $3) } }
    }
    static let rmdir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.rmdir", .done) { uv_fs_rmdir($0, $1, $2, $3) } }
    }
    static let unlink: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.unlink", .done) { uv_fs_unlink($0, $1, $2, $3) } }
    }
    // mkdir(path, mode) (mode a number, default 0o755; recursion is in Lua)
    static let mkdir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let mode = try lua.optInteger(2, "fs.mkdir", "mode") ?? 0o755
            return try pathOp(lua, "fs.mkdir", .done) { uv_fs_mkdir($0, $1, $2, Int32(mode), $3) }
        }
    }
    static let rename: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let from = try lua.checkString(1, "fs.rename", "from")
            let to = try lua.checkString(2, "fs.rename", "to")
            return try FSOp.start(lua, "fs.rename", .done, path: from) { loop, req, cb in
                uv_fs_rename(loop, req, from, to, cb)
            }
        }
    }

    // set_file_metatable(mt): the Lua source hands over the file handle metatable.
    static let setFileMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "fs.set_file_metatable", "mt")
            if let old = vm.metatables[fileMetatable] { luaL_unref(lua.L, mb_registryindex(), old) }
            lua.pushValue(1)
            vm.metatables[fileMetatable] = luaL_ref(lua.L, mb_registryindex())
            return 0
        }
    }

    // __gc of a file handle: closes the fd (asynchronously) if still open.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard lua_type(lua.L, 1) == LUA_TUSERDATA, let p = lua_touserdata(lua.L, 1) else { return 0 }
            let raw = p.load(as: UnsafeMutableRawPointer?.self)
            guard let raw else { return 0 }
            p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            let file = Unmanaged<FSFile>.fromOpaque(raw).takeRetainedValue()
            if file.usableFD != nil {
                file.markClosed()
                file.closeWhenIdle()
            }
            VM.from(lua).unregister(file)
            return 0
        }
    }

    static let describe: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "tostring")
            lua.push(file.usableFD == nil ? "file (closed)" : "file (\(file.path))")
            return 1
        }
    }

    // MARK: Helpers

    static func checkFile(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> FSFile {
        guard let p = vm.userdata(lua, i, fileMetatable),
              let raw = p.load(as: UnsafeMutableRawPointer?.self) else {
            throw .badArgument(function, i, "file", expected: "file", got: lua.typeName(at: i))
        }
        return Unmanaged<FSFile>.fromOpaque(raw).takeUnretainedValue()
    }

    static func pushFile(_ vm: VM, _ file: FSFile, onto lua: LuaState) {
        let box = lua_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        box.storeBytes(of: Unmanaged.passRetained(file).toOpaque(), as: UnsafeMutableRawPointer.self)
        if let ref = vm.metatables[fileMetatable] {
            lua_rawgeti(lua.L, mb_registryindex(), ref)
            lua_setmetatable(lua.L, -2)
        }
    }

    static func closedError(_ lua: LuaState) -> Int32 {
        lua.pushNil()
        lua.push("EBADF: file is closed")
        return 2
    }

    /// nil, "ENOENT: <path>"
    static func pushError(_ lua: LuaState, _ code: Int32, _ path: String) -> Int32 {
        lua.pushNil()
        lua.push("\(String(cString: uv_err_name(code))): \(path)")
        return 2
    }

    static func pushStat(_ lua: LuaState, _ s: uv_stat_t) {
        lua_createtable(lua.L, 0, 7)
        lua.push(Double(s.st_size)); lua.rawSetField(-2, "size")
        lua.push(Int(s.st_mode & 0o7777)); lua.rawSetField(-2, "mode")
        let type: String
        switch UInt32(s.st_mode) & 0o170000 {
        case 0o100000: type = "file"
        case 0o040000: type = "directory"
        case 0o120000: type = "link"
        case 0o010000: type = "fifo"
        case 0o140000: type = "socket"
        case 0o020000: type = "char"
        case 0o060000: type = "block"
        default: type = "unknown"
        }
        lua.push(type); lua.rawSetField(-2, "type")
        func time(_ t: uv_timespec_t) -> Double { Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
        lua.push(time(s.st_mtim)); lua.rawSetField(-2, "mtime")
        lua.push(time(s.st_atim)); lua.rawSetField(-2, "atime")
        lua.push(time(s.st_ctim)); lua.rawSetField(-2, "ctime")
    }

    static func direntType(_ t: uv_dirent_type_t) -> String {
        switch t {
        case UV_DIRENT_FILE: return "file"
        case UV_DIRENT_DIR: return "directory"
        case UV_DIRENT_LINK: return "link"
        case UV_DIRENT_FIFO: return "fifo"
        case UV_DIRENT_SOCKET: return "socket"
        case UV_DIRENT_CHAR: return "char"
        case UV_DIRENT_BLOCK: return "block"
        default: return "unknown"
        }
    }
}

/// Reads of cached file data without the thread pool: `preadv2(RWF_NOWAIT)`
/// copies bytes already in the page cache and returns EAGAIN instead of
/// waiting for the disk, so it never blocks the loop. A pool round trip costs
/// more than the copy for a 64 KiB read. One buffer per worker thread: its
/// bytes are copied into a Lua string before the call returns.
enum PageCacheRead {
    /// Largest read served here; bigger ones go to the pool.
    static let capacity = 1 << 20
    /// After this many fast reads on a worker, the reading fiber yields once.
    static let burst = 8

    private final class State {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: PageCacheRead.capacity, alignment: 64)
        var inRow = 0
        var unsupported = false
        deinit { buffer.deallocate() }
    }
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { Unmanaged<AnyObject>.fromOpaque($0!).release() }
        return key
    }()

    private static var state: State {
        if let p = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(p).takeUnretainedValue() }
        let s = State()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// This thread's buffer (valid after `attempt` returned a count).
    static var buffer: UnsafeMutableRawPointer { state.buffer }

    /// True once every `burst` fast reads.
    static func shouldGiveWay() -> Bool {
        let s = state
        if s.inRow < burst { return false }
        s.inRow = 0
        return true
    }

    /// Bytes read into `buffer` at the file position (0 at end of file), or nil
    /// when the request must go to the pool (not cached, not supported, error).
    static func attempt(fd: Int32, size: Int) -> Int? {
        guard size <= capacity else { return nil }
        let s = state
        if s.unsupported { return nil }
        let got = mb_read_cached(fd, s.buffer, UInt(size))
        if got >= 0 { s.inRow += 1; return got }
        // An old kernel: stop trying on this thread. Anything else (EAGAIN:
        // not cached; a real error) is left to the pool request.
        if got == -Int(ENOSYS) { s.unsupported = true }
        return nil
    }
}

/// An open file: the fd, closed at most once (by `close`, `__gc` or the VM's end),
/// and never while a request still uses it.
final class FSFile: VMResource {
    private var fd: Int32
    let path: String
    let loop: UnsafeMutablePointer<uv_loop_t>
    private var closed = false
    private var closePending = false
    /// Requests in flight on the fd.
    var inflight = 0

    init(fd: Int32, path: String, loop: UnsafeMutablePointer<uv_loop_t>) {
        self.fd = fd
        self.path = path
        self.loop = loop
    }

    var usableFD: Int32? { closed ? nil : fd }

    func markClosed() { closed = true }

    /// Closes the fd now (asynchronously, nobody waits) or once requests end.
    func closeWhenIdle() {
        guard fd >= 0 else { return }
        if inflight > 0 { closePending = true; return }
        FSOp.closeDetached(fd, loop: loop)
        fd = -1
    }

    func requestEnded() {
        inflight -= 1
        if inflight == 0 && closePending {
            closePending = false
            closeWhenIdle()
        }
    }

    /// The fd was closed by a `close` request.
    func forgetFD() { fd = -1 }

    func release() {
        if !closed { closed = true; closeWhenIdle() }
    }
}

/// One `uv_fs_t` request made for a suspended fiber. It owns the request and
/// its buffer until libuv's callback, even when the fiber stopped waiting
/// (interruption, VM end): the callback then only frees them (and closes an fd
/// a cancelled open produced).
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
                    lua_createtable(lua.L, Int32(max(result, 0)), 0)
                    var ent = uv_dirent_t()
                    var i: Int32 = 0
                    while uv_fs_scandir_next(req, &ent) == 0 {
                        i += 1
                        lua_createtable(lua.L, 0, 2)
                        lua.push(String(cString: ent.name)); lua.rawSetField(-2, "name")
                        lua.push(FSModule.direntType(ent.type)); lua.rawSetField(-2, "type")
                        lua_rawseti(lua.L, -2, i)
                    }
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

private let fsSource = """
local raw, rt = ...
local suspending, resumed = rt.suspending, rt.resumed
local type, error, tostring, concat = type, error, tostring, table.concat
local fs = {}

fs.open = suspending(raw.open)
local read_raw, give_way = raw.read, suspending(rt.yield)
-- raw.read returns data, true when it read cached data without suspending and
-- it is this fiber's turn to let the others run.
function fs.read(file, n)
  local data, err = resumed(read_raw(file, n))
  if err == nil then return data end
  if err == true then give_way(); return data end
  return data, err
end
fs.write = suspending(raw.write)
fs.close = suspending(raw.close)
fs.fsync = suspending(raw.fsync)
fs.fstat = suspending(raw.fstat)
fs.seek = raw.seek
fs.tell = raw.tell
fs.stat = suspending(raw.stat)
fs.lstat = suspending(raw.lstat)
fs.scandir = suspending(raw.scandir)
fs.realpath = suspending(raw.realpath)
fs.rmdir = suspending(raw.rmdir)
fs.unlink = suspending(raw.unlink)
fs.rename = suspending(raw.rename)
local mkdir1 = suspending(raw.mkdir)

-- mkdir(path, mode?, opts?) or mkdir(path, opts): opts.recursive makes missing
-- parents and accepts an existing folder (as mkdir -p).
function fs.mkdir(path, mode, opts)
  if type(mode) == 'table' and opts == nil then opts, mode = mode, nil end
  if type(path) ~= 'string' then
    error("fs.mkdir: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  if mode ~= nil and type(mode) ~= 'number' then
    error("fs.mkdir: bad argument #2 'mode' (number expected, got " .. type(mode) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= 'table' then
    error("fs.mkdir: bad argument #3 'opts' (table expected, got " .. type(opts) .. ")", 2)
  end
  if not (opts and opts.recursive) then return mkdir1(path, mode) end
  local prefix = path:sub(1, 1) == '/' and '/' or ''
  local ok, err
  for part in path:gmatch('[^/]+') do
    prefix = prefix .. part
    ok, err = mkdir1(prefix, mode)
    if not ok then
      if err:sub(1, 7) ~= 'EEXIST:' then return nil, err end
      local st = fs.stat(prefix)
      if not st or st.type ~= 'directory' then return nil, err end
    end
    prefix = prefix .. '/'
  end
  return true
end

fs.READFILE_LIMIT = 64 * 1024 * 1024

-- readfile(path, opts?) -> data | nil, err; refuses files over opts.limit
-- (default fs.READFILE_LIMIT) with nil, "EFBIG: <path>".
function fs.readfile(path, opts)
  if type(path) ~= 'string' then
    error("fs.readfile: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  local limit = (type(opts) == 'table' and opts.limit) or fs.READFILE_LIMIT
  local f, err = fs.open(path, 'rb')
  if not f then return nil, err end
  local ok, data, e = pcall(function()
    local st, err = fs.fstat(f)
    if not st then return nil, err end
    if st.size > limit then return nil, 'EFBIG: ' .. path end
    local parts, total = {}, 0
    while true do
      local want = st.size - total
      if want <= 0 then want = 65536 end
      if want > limit - total + 1 then want = limit - total + 1 end
      local chunk, err = fs.read(f, want)
      if not chunk then return nil, err end
      if chunk == '' then break end
      total = total + #chunk
      if total > limit then return nil, 'EFBIG: ' .. path end
      parts[#parts + 1] = chunk
    end
    return concat(parts)
  end)
  fs.close(f)
  if not ok then error(data, 0) end
  if data == nil then return nil, e end
  return data
end

local counter = 0
-- writefile(path, data, opts?) -> true | nil, err. opts.atomic: write a temporary
-- file in the same folder, fsync it, then rename it over path.
function fs.writefile(path, data, opts)
  if type(path) ~= 'string' then
    error("fs.writefile: bad argument #1 'path' (string expected, got " .. type(path) .. ")", 2)
  end
  if type(data) ~= 'string' then
    error("fs.writefile: bad argument #2 'data' (string expected, got " .. type(data) .. ")", 2)
  end
  local atomic = type(opts) == 'table' and opts.atomic
  local target = path
  if atomic then
    counter = counter + 1
    local dir, base = path:match('^(.*/)([^/]*)$')
    if not dir then dir, base = '', path end
    target = dir .. '.' .. base .. '.tmp-' .. tostring(rt.current_id()) .. '-' .. counter
      .. '-' .. tostring(math.random(1, 1e9))
  end
  local f, err = fs.open(target, 'wb')
  if not f then
    if atomic then err = (err:match('^[^:]+') or err) .. ': ' .. path end
    return nil, err
  end
  local ok, wok, werr = pcall(function()
    local ok, err = fs.write(f, data)
    if not ok then return nil, err end
    if atomic then return fs.fsync(f) end
    return true
  end)
  local cok, cerr = fs.close(f)
  if ok and wok and not cok then wok, werr = nil, cerr end
  if atomic then
    if ok and wok then
      wok, werr = fs.rename(target, path)
    end
    if not (ok and wok) then fs.unlink(target) end
  end
  if not ok then error(wok, 0) end
  if not wok then return nil, werr end
  return true
end

local File = {
  read = fs.read, write = fs.write, close = fs.close, seek = fs.seek, tell = fs.tell,
  fsync = fs.fsync, stat = fs.fstat,
}
raw.set_file_metatable({ __index = File, __gc = raw.gc, __tostring = raw.tostring, __metatable = 'fs.file' })
return fs
"""

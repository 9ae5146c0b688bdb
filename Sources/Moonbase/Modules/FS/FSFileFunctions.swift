import CLibUV
import CLuaJIT
#if canImport(Glibc)
import Glibc
#endif

/// The functions on an open file: open, read, write, close, fsync, fstat, seek, tell.
extension FSModule {
    // open(path, mode) -> file | nil, err   (mode parsed here; bad mode raises)
    static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let path = try lua.checkString(1, "fs.open", "path")
            let mode = try lua.optString(2, "fs.open", "mode") ?? "r"
            guard let flags = openFlags(mode) else {
                throw LuaError("fs.open: bad argument #2 'mode' (invalid mode '\(mode)')")
            }
            return try FSRequest.start(lua, "fs.open", path: path, on: FSCompletion.open) { loop, req, cb in
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
            guard let buffer = RawMemory.allocate(size) else { return lua.pushFailure(RawMemory.failure) }
            return try FSRequest.start(lua, "fs.read", path: file.path, file: file,
                                       buffer: buffer, size: size, on: FSCompletion.read) { loop, req, cb in
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
            guard let buffer = RawMemory.copy(data) else { return lua.pushFailure(RawMemory.failure) }
            let size = data.count
            return try FSRequest.start(lua, "fs.write", path: file.path, file: file,
                                       buffer: buffer, size: size, on: FSCompletion.write) { loop, req, cb in
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
            // The request closes the fd: nothing else may close it again.
            file.markClosed()
            file.forgetFD()
            return try FSRequest.start(lua, "fs.close", path: file.path, on: FSCompletion.done) { loop, req, cb in
                uv_fs_close(loop, req, fd, cb)
            }
        }
    }

    static let fsync: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.fsync")
            guard let fd = file.usableFD else { return closedError(lua) }
            return try FSRequest.start(lua, "fs.fsync", path: file.path, file: file, on: FSCompletion.done) { loop, req, cb in
                uv_fs_fsync(loop, req, fd, cb)
            }
        }
    }

    static let fstat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "fs.fstat")
            guard let fd = file.usableFD else { return closedError(lua) }
            return try FSRequest.start(lua, "fs.fstat", path: file.path, file: file, on: FSCompletion.stat) { loop, req, cb in
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
}

import CLibUV
import CLuaJIT

/// What each kind of request pushes when it succeeds: one libuv callback per
/// kind, so the completion knows its kind without storing it.
enum FSCompletion {
    static let open: uv_fs_cb = { req in
        // Read before `finish` ends the request.
        let fd = req!.pointee.result, loop = req!.pointee.loop!
        let taken = FSRequest.finish(req) { lua, op, fd in
            let vm = op.fiber.vm
            let file = FSFile(fd: Int32(fd), path: op.request.pointee.path, loop: vm.worker.loop)
            vm.register(file)
            vm.pushBoxed(file, FSModule.fileMetatable, onto: lua)
        }
        if !taken && fd >= 0 {
            // Nobody takes this fd any more (interrupted, VM ended).
            FSRequest.closeDetached(Int32(fd), loop: loop)
        }
    }

    static let read: uv_fs_cb = { req in
        FSRequest.finish(req) { lua, op, count in
            lua.push(bytes: UnsafeRawBufferPointer(start: op.request.pointee.buffer, count: count))
        }
    }

    static let write: uv_fs_cb = { req in
        if FSRequest.continueWriting(FSRequest.of(req), callback: FSCompletion.write) { return }
        FSRequest.finish(req) { lua, _, _ in lua.push(true) }
    }

    /// Requests that only succeed or fail (close, fsync, mkdir, rmdir, unlink, rename).
    static let done: uv_fs_cb = { req in
        FSRequest.finish(req) { lua, _, _ in lua.push(true) }
    }

    static let stat: uv_fs_cb = { req in
        FSRequest.finish(req) { lua, op, _ in FSModule.pushStat(lua, op.request.pointee.uv.statbuf) }
    }

    static let scandir: uv_fs_cb = { req in
        FSRequest.finish(req) { lua, op, count in FSModule.pushEntries(lua, FSRequest.uv(op.request), count: count) }
    }

    static let path: uv_fs_cb = { req in
        FSRequest.finish(req) { lua, op, _ in
            // The bytes as the kernel gave them (a name need not be UTF-8).
            lua_pushstring(lua.L, op.request.pointee.uv.ptr.assumingMemoryBound(to: CChar.self))
        }
    }
}

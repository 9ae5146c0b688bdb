import CLibUV
import CLuaJIT

/// The functions on paths, one `uv_fs_*` request each: stat, lstat, scandir,
/// realpath, mkdir, rmdir, unlink, rename.
extension FSModule {
    static func pathOp(_ lua: LuaState, _ name: String, _ callback: uv_fs_cb,
                       _ start: @escaping (UnsafeMutablePointer<uv_loop_t>, UnsafeMutablePointer<uv_fs_t>, String, uv_fs_cb) -> Int32) throws(LuaError) -> Int32 {
        let path = try lua.checkString(1, name, "path")
        return try FSRequest.start(lua, name, path: path, on: callback) { loop, req, cb in start(loop, req, path, cb) }
    }

    static let stat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.stat", FSCompletion.stat) { uv_fs_stat($0, $1, $2, $3) } }
    }
    static let lstat: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.lstat", FSCompletion.stat) { uv_fs_lstat($0, $1, $2, $3) } }
    }
    static let scandir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.scandir", FSCompletion.scandir) { uv_fs_scandir($0, $1, $2, 0, $3) } }
    }
    // realpath(path) -> absolute path with every link, "." and ".." resolved
    static let realpath: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.realpath", FSCompletion.path) { uv_fs_realpath($0, $1, $2, $3) } }
    }
    static let rmdir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.rmdir", FSCompletion.done) { uv_fs_rmdir($0, $1, $2, $3) } }
    }
    static let unlink: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in try pathOp(lua, "fs.unlink", FSCompletion.done) { uv_fs_unlink($0, $1, $2, $3) } }
    }
    // mkdir(path, mode) (mode a number, default 0o755; recursion is in Lua)
    static let mkdir: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let mode = try lua.optInteger(2, "fs.mkdir", "mode") ?? 0o755
            // mode_t is 32 bits: a wider number would trap in Int32(...).
            guard (0...0o7777).contains(mode) else {
                throw LuaError("fs.mkdir: bad argument #2 'mode' (integer between 0 and 0o7777 expected, got \(mode))")
            }
            return try pathOp(lua, "fs.mkdir", FSCompletion.done) { uv_fs_mkdir($0, $1, $2, Int32(mode), $3) }
        }
    }
    static let rename: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let from = try lua.checkString(1, "fs.rename", "from")
            let to = try lua.checkString(2, "fs.rename", "to")
            return try FSRequest.start(lua, "fs.rename", path: from, on: FSCompletion.done) { loop, req, cb in
                uv_fs_rename(loop, req, from, to, cb)
            }
        }
    }
}

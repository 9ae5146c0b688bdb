import CLibUV
import CLuaJIT

/// How results reach Lua: `nil, "CODE: path"` errors, stat tables, entry types.
extension FSModule {
    static func closedError(_ lua: LuaState) -> Int32 {
        lua.pushFailure("EBADF: file is closed")
    }

    /// nil, "ENOENT: <path>"
    static func pushError(_ lua: LuaState, _ code: Int32, _ path: String) -> Int32 {
        lua.pushFailure("\(String(cString: uv_err_name(code))): \(path)")
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

    /// The entries of a finished scandir request: { {name=, type=}, ... }
    static func pushEntries(_ lua: LuaState, _ req: UnsafeMutablePointer<uv_fs_t>, count: Int) {
        lua_createtable(lua.L, Int32(max(count, 0)), 0)
        var ent = uv_dirent_t()
        var i: Int32 = 0
        while uv_fs_scandir_next(req, &ent) == 0 {
            i += 1
            lua_createtable(lua.L, 0, 2)
            lua.push(String(cString: ent.name)); lua.rawSetField(-2, "name")
            lua.push(direntType(ent.type)); lua.rawSetField(-2, "type")
            lua_rawseti(lua.L, -2, i)
        }
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

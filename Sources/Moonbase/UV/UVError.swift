import CLibUV

/// How I/O calls report failure to Lua: `nil, err`, with libuv's error name
/// (`ECONNREFUSED`, ...) or a word of our own (`closed`).
enum UVError {
    /// The name Lua sees for a libuv status: end of stream and a cancelled
    /// request both mean the other side or the handle is gone ("closed").
    static func name(_ status: Int32) -> String {
        if status == UV_EOF.rawValue || status == UV_ECANCELED.rawValue { return "closed" }
        return String(cString: uv_err_name(status))
    }

    /// Pushes `nil, err`; returns 2.
    @inline(__always) static func fail(_ lua: LuaState, _ err: String) -> Int32 {
        lua.pushNil()
        lua.push(err)
        return 2
    }
}

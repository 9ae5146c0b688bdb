import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// `socket.getpeername` and `socket.getsockname`.
extension SocketModule {
    static let getpeername: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try connection(lua, vm, 1, "socket.getpeername")
            return pushName(lua, of: c, peer: true)
        }
    }

    static let getsockname: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let s = try stream(lua, vm, 1, "socket.getsockname")
            return pushName(lua, of: s, peer: false)
        }
    }

    /// Pushes the local (or peer) address of a stream socket: a path for a
    /// Unix socket, host and port for TCP; `nil, err` on failure.
    private static func pushName(_ lua: LuaState, of s: StreamSocket, peer: Bool) -> Int32 {
        if s.closed { return lua.pushFailure("closed") }
        let tcp: UnsafeMutablePointer<uv_tcp_t>
        switch s.handle {
        case .tcp(let h):
            tcp = h.pointer
        case .pipe(let h):
            let pipe = h.pointer
            var buf = [CChar](repeating: 0, count: 256)
            var size = buf.count
            let r = peer ? uv_pipe_getpeername(pipe, &buf, &size) : uv_pipe_getsockname(pipe, &buf, &size)
            if r < 0 { return lua.pushFailure(uvErrorName(r)) }
            buf.withUnsafeBytes { lua.push(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
            return 1
        }
        var st = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) { p in
            let address = UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self)
            return peer ? uv_tcp_getpeername(tcp, address, &len) : uv_tcp_getsockname(tcp, address, &len)
        }
        if r < 0 { return lua.pushFailure(uvErrorName(r)) }
        return withUnsafePointer(to: &st) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }
}

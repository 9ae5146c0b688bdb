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
        if s.closed { return UVError.fail(lua, "closed") }
        if !s.tcp {
            let pipe = UnsafeMutableRawPointer(s.stream).assumingMemoryBound(to: uv_pipe_t.self)
            var buf = [CChar](repeating: 0, count: 256)
            var size = buf.count
            let r = peer ? uv_pipe_getpeername(pipe, &buf, &size) : uv_pipe_getsockname(pipe, &buf, &size)
            if r < 0 { return UVError.fail(lua, UVError.name(r)) }
            buf.withUnsafeBytes { lua.push(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
            return 1
        }
        let tcp = UnsafeMutableRawPointer(s.stream).assumingMemoryBound(to: uv_tcp_t.self)
        var st = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &st) { p in
            let address = UnsafeMutableRawPointer(p).assumingMemoryBound(to: sockaddr.self)
            return peer ? uv_tcp_getpeername(tcp, address, &len) : uv_tcp_getsockname(tcp, address, &len)
        }
        if r < 0 { return UVError.fail(lua, UVError.name(r)) }
        return withUnsafePointer(to: &st) { SocketAddress.push(lua, UnsafeRawPointer($0)) }
    }
}

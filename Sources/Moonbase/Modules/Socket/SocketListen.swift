import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// `socket.listen` and `socket.accept`.
extension SocketModule {
    // listen("tcp", host, port, opts?) / listen("unix", path, opts?) -> listener | nil, err
    static let listen: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let kind = try lua.checkString(1, "socket.listen", "kind")
            var backlog = 511, reuseport = false, nodelay = false
            var ceiling = defaultCeiling
            let optsIndex: Int32 = kind == "unix" ? 3 : 4
            if try lua.optTable(optsIndex, "socket.listen", "opts") {
                backlog = try integerOption(lua, optsIndex, "backlog", "socket.listen", atLeast: 1) ?? backlog
                reuseport = try lua.field(optsIndex, "reuseport") { i in lua.toBoolean(i) } ?? false
                nodelay = try lua.field(optsIndex, "nodelay") { i in lua.toBoolean(i) } ?? false
                ceiling = try integerOption(lua, optsIndex, "read_limit", "socket.listen", atLeast: 1) ?? ceiling
            }
            let listener: SocketListener
            if kind == "unix" {
                let path = try lua.checkString(2, "socket.listen", "path")
                listener = SocketListener(vm: vm, tcp: false)
                guard case .pipe(let pipe) = listener.handle else { preconditionFailure("a Unix listener has a pipe") }
                let r = uv_pipe_bind(pipe.pointer, path)
                if r < 0 { listener.close(); return lua.pushFailure(uvErrorName(r)) }
                listener.unixPath = path
            } else if kind == "tcp" {
                let host = try lua.checkString(2, "socket.listen", "host")
                let port = try lua.checkInteger(3, "socket.listen", "port")
                guard (0...65535).contains(port) else {
                    throw LuaError("socket.listen: bad argument #3 'port' (0..65535 expected, got \(port))")
                }
                guard var addr = SocketAddress.parse(host, port) else { return lua.pushFailure("EINVAL") }
                listener = SocketListener(vm: vm, tcp: true)
                guard case .tcp(let tcp) = listener.handle else { preconditionFailure("a TCP listener has a TCP handle") }
                let r = withUnsafePointer(to: &addr) { p -> Int32 in
                    let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                    return reuseport ? bindReusingPort(tcp.pointer, sa) : uv_tcp_bind(tcp.pointer, sa, 0)
                }
                if r < 0 { listener.close(); return lua.pushFailure(uvErrorName(r)) }
            } else {
                throw LuaError("socket.listen: bad argument #1 'kind' (\"tcp\" or \"unix\" expected, got \"\(kind)\")")
            }
            listener.nodelay = nodelay
            listener.ceiling = ceiling
            let r = listener.listen(backlog: backlog)
            if r < 0 {
                listener.unixPath = nil
                listener.close()
                return lua.pushFailure(uvErrorName(r))
            }
            listener.reserveDescriptor()
            vm.pushBoxed(listener, listenerMetatable, onto: lua)
            return 1
        }
    }

    /// Binds `tcp` to `sa` with SO_REUSEPORT, so several workers can listen on
    /// one port: libuv 1.44 has no UV_TCP_REUSEPORT, so we make the socket.
    private static func bindReusingPort(_ tcp: UnsafeMutablePointer<uv_tcp_t>, _ sa: UnsafePointer<sockaddr>) -> Int32 {
        let family = Int32(sa.pointee.sa_family)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return -errno }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(4))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(4))
        if family == AF_INET6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(4)) }
        let len = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        if bind(fd, sa, len) < 0 { let e = -errno; Glibc.close(fd); return e }
        let o = uv_tcp_open(tcp, fd)
        if o < 0 { Glibc.close(fd) }
        return o
    }

    // accept(listener) -> conn | nil, err
    static let accept: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let l = listener(lua, vm, 1) else {
                throw .badArgument("socket.accept", 1, "listener", expected: "socket listener", got: lua.typeName(at: 1))
            }
            if l.closed { return lua.pushFailure("closed") }
            let timeout = try SocketTimeout.optional(lua, 2, "socket.accept", "timeout")
            if !l.queue.isEmpty {
                let c = l.queue.removeFirst()
                l.acceptDeferred()
                vm.pushBoxed(c, connMetatable, onto: lua)
                return 1
            }
            let fiber = try vm.suspendingFiber("socket.accept")
            if let n = fiber.takeInterruption(lua) { return n }
            if !l.acceptor.isEmpty { throw LuaError("socket.accept: another fiber is already accepting on this listener") }
            l.acceptor.park(fiber, on: l)
            if let timeout, timeout > 0 { l.setAcceptDeadline(timeout) }
            return vm.yield(lua)
        }
    }
}

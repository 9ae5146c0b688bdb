import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// `require 'socket'`: TCP (IPv4/IPv6) and Unix stream sockets.
///
/// A connection reads with `uv_read_start` into a per-connection byte buffer
/// bounded by a ceiling (reading stops when it is full, so a peer cannot make
/// the process buffer without bound); a fiber waiting in `read`, `read(n)`,
/// `readline` or `http` parsing is woken as soon as its request can be met.
/// Writes try `uv_try_write` first and fall back to `uv_write` (the fiber waits
/// for the completion: back-pressure).
enum SocketModule {
    static let connMetatable = MetatableName("moonbase.socket.conn")
    static let listenerMetatable = MetatableName("moonbase.socket.listener")
    static let defaultCeiling = 256 * 1024

    static let definition = LuaModule(name: "socket", functions: [
        ("init", initModule),
        ("listen", listen),
        ("accept", accept),
        ("connect", connect),
        ("read", read),
        ("readline", readline),
        ("write", write),
        ("close", close),
        ("gc", collect),
        ("getpeername", getpeername),
        ("getsockname", getsockname),
        ("setnodelay", setnodelay),
        ("setreadlimit", setreadlimit),
        ("literal", literal),
        ("resolve", resolve),
        ("http_read", HTTPModule.httpRead),
        ("http_respond", HTTPModule.httpRespond),
    ], source: """
        local raw, rt = ...
        local S = rt.suspending
        local conn_mt, listener_mt = { __name = 'socket.conn' }, { __name = 'socket.listener' }
        raw.init(conn_mt, listener_mt)
        local resolve, literal, connect = S(raw.resolve), raw.literal, S(raw.connect)
        local type, ipairs = type, ipairs
        local socket = {
          accept = S(raw.accept), resolve = resolve,
          read = S(raw.read), readline = S(raw.readline), write = S(raw.write),
          close = raw.close, getpeername = raw.getpeername, getsockname = raw.getsockname,
          setnodelay = raw.setnodelay, setreadlimit = raw.setreadlimit,
        }
        -- A host name (not a literal address) is resolved first; a wrong-typed
        -- host goes to the Swift function as it is, which names the argument.
        local function is_name(host) return type(host) == 'string' and not literal(host) end
        rt.host_is_name = is_name
        -- listen binds the first address of a name.
        function socket.listen(kind, host, port, opts)
          if kind == 'tcp' and is_name(host) then
            local addresses, err = resolve(host)
            if not addresses then return nil, err end
            host = addresses[1]
          end
          return raw.listen(kind, host, port, opts)
        end
        -- connect tries the addresses of a name in order (getaddrinfo's preference)
        -- until one accepts, and returns the last error if none does.
        -- "localhost" too: a server may listen on 127.0.0.1 or on ::1.
        function socket.connect(host, port)
          if host ~= 'localhost' and (host == 'unix' or not is_name(host) or host:find('/', 1, true)) then
            return connect(host, port)
          end
          local addresses, err = resolve(host)
          if not addresses then return nil, err end
          local conn
          for _, address in ipairs(addresses) do
            conn, err = connect(address, port)
            if conn then return conn end
          end
          return nil, err
        end
        conn_mt.__index = {
          read = socket.read, readline = socket.readline, write = socket.write, close = socket.close,
          getpeername = socket.getpeername, getsockname = socket.getsockname,
          setnodelay = socket.setnodelay, setreadlimit = socket.setreadlimit,
        }
        conn_mt.__gc = raw.gc
        conn_mt.__tostring = function(c) return 'socket.conn' end
        listener_mt.__index = { accept = socket.accept, close = socket.close, getsockname = socket.getsockname }
        listener_mt.__gc = raw.gc
        listener_mt.__tostring = function(c) return 'socket.listener' end
        local spawn, pcall, error = spawn, pcall, error
        -- serve: listens, then accepts in a fiber of its own; each connection runs
        -- handler(conn) in a new fiber and is closed when the handler returns or fails.
        function socket.serve(host, port, handler, opts)
          if type(handler) ~= 'function' then
            error("socket.serve: bad argument #3 'handler' (function expected, got " .. type(handler) .. ")", 2)
          end
          local l, err
          if host == 'unix' then l, err = raw.listen('unix', port, opts)
          else l, err = raw.listen('tcp', host, port, opts) end
          if not l then return nil, err end
          local function run(conn)
            local ok, e = pcall(handler, conn)
            raw.close(conn)
            if not ok then error(e, 0) end
          end
          spawn(function()
            while true do
              local conn = socket.accept(l)
              if not conn then return end
              spawn(run, conn):detach()
            end
          end):detach()
          return l
        end
        rt.socket_raw = raw
        return socket
        """)

    // MARK: Helpers

    static func errName(_ code: Int32) -> String {
        if code == UV_EOF.rawValue || code == UV_ECANCELED.rawValue { return "closed" }
        return String(cString: uv_err_name(code))
    }

    @inline(__always) static func fail(_ lua: LuaState, _ err: String) -> Int32 {
        lua.pushNil()
        lua.push(err)
        return 2
    }

    /// Pushes a userdata owning a retained reference to `object`.
    static func pushObject(_ vm: VM, _ object: AnyObject, _ metatable: MetatableName, onto lua: LuaState) {
        let box = lua_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        box.storeBytes(of: Unmanaged.passRetained(object).toOpaque(), as: UnsafeMutableRawPointer?.self)
        lua_rawgeti(lua.L, mb_registryindex(), vm.metatables[metatable]!)
        lua_setmetatable(lua.L, -2)
    }

    static func object<T: AnyObject>(_ lua: LuaState, _ vm: VM, _ i: Int32, _ metatable: MetatableName, as: T.Type) -> T? {
        guard let p = vm.userdata(lua, i, metatable),
              let o = p.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(o).takeUnretainedValue() as? T
    }

    static func conn(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> Conn {
        guard let c = object(lua, vm, i, connMetatable, as: Conn.self) else {
            throw .badArgument(function, i, "conn", expected: "socket connection", got: lua.typeName(at: i))
        }
        return c
    }

    static func stream(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> StreamSocket {
        if let c = object(lua, vm, i, connMetatable, as: Conn.self) { return c }
        if let l = object(lua, vm, i, listenerMetatable, as: Listener.self) { return l }
        throw .badArgument(function, i, "socket", expected: "socket", got: lua.typeName(at: i))
    }

    /// An integer field of the options table at `opts` (nil when absent); a bad
    /// value raises naming the argument and the field.
    static func integerOption(_ lua: LuaState, _ opts: Int32, _ key: String, _ function: String,
                              atLeast least: Int) throws(LuaError) -> Int? {
        try lua.field(opts, key) { i throws(LuaError) -> Int? in
            if lua.isNoneOrNil(i) { return nil }
            let isNumber = lua_type(lua.L, i) == LUA_TNUMBER
            let n = isNumber ? lua.toNumber(i) : .nan
            guard n == n.rounded(), n >= Double(least), n < 9.0e15 else {
                let got = !isNumber ? lua.typeName(at: i) : n == n.rounded() && abs(n) < 9.0e15 ? "\(Int(n))" : "\(n)"
                throw LuaError("\(function): bad argument #\(opts) 'opts.\(key)' (integer >= \(least) expected, got \(got))")
            }
            return Int(n)
        }
    }

    /// Parses a literal address ("*" and "localhost" accepted).
    static func literalAddress(_ host: String, _ port: Int) -> sockaddr_storage? {
        var st = sockaddr_storage()
        var h = host
        if h == "*" || h == "" { h = "0.0.0.0" }
        if h == "localhost" { h = "127.0.0.1" }
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        let ok = withUnsafeMutablePointer(to: &st) { p -> Bool in
            let raw = UnsafeMutableRawPointer(p)
            if uv_ip4_addr(h, Int32(port), raw.assumingMemoryBound(to: sockaddr_in.self)) == 0 { return true }
            return uv_ip6_addr(h, Int32(port), raw.assumingMemoryBound(to: sockaddr_in6.self)) == 0
        }
        return ok ? st : nil
    }

    /// Pushes host, port of a socket address; returns 2.
    static func pushAddress(_ lua: LuaState, _ addr: UnsafeRawPointer) -> Int32 {
        var name = [CChar](repeating: 0, count: 64)
        let family = Int32(addr.assumingMemoryBound(to: sockaddr.self).pointee.sa_family)
        if family == AF_INET6 {
            let a = addr.assumingMemoryBound(to: sockaddr_in6.self)
            uv_ip6_name(a, &name, name.count)
            lua.push(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            lua.push(Int(UInt16(bigEndian: a.pointee.sin6_port)))
        } else if family == AF_INET {
            let a = addr.assumingMemoryBound(to: sockaddr_in.self)
            uv_ip4_name(a, &name, name.count)
            lua.push(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            lua.push(Int(UInt16(bigEndian: a.pointee.sin_port)))
        } else {
            lua.pushNil()
            lua.push("EAFNOSUPPORT")
        }
        return 2
    }

    // MARK: Functions

    // init(conn_mt, listener_mt): registers the metatables of this VM.
    static let initModule: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            signal(SIGPIPE, SIG_IGN)  // a write to a closed peer must be EPIPE, not death
            lua.pushValue(1)
            vm.metatables[connMetatable] = luaL_ref(lua.L, mb_registryindex())
            lua.pushValue(2)
            vm.metatables[listenerMetatable] = luaL_ref(lua.L, mb_registryindex())
            return 0
        }
    }

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
            let listener: Listener
            if kind == "unix" {
                let path = try lua.checkString(2, "socket.listen", "path")
                let pipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
                uv_pipe_init(vm.worker.loop, pipe, 0)
                listener = Listener(vm: vm, handle: UnsafeMutableRawPointer(pipe), tcp: false)
                let r = uv_pipe_bind(pipe, path)
                if r < 0 { listener.close(); return fail(lua, errName(r)) }
                listener.unixPath = path
            } else if kind == "tcp" {
                let host = try lua.checkString(2, "socket.listen", "host")
                let port = try lua.checkInteger(3, "socket.listen", "port")
                guard (0...65535).contains(port) else {
                    throw LuaError("socket.listen: bad argument #3 'port' (0..65535 expected, got \(port))")
                }
                guard var addr = literalAddress(host, port) else { return fail(lua, "EINVAL") }
                let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
                uv_tcp_init(vm.worker.loop, tcp)
                listener = Listener(vm: vm, handle: UnsafeMutableRawPointer(tcp), tcp: true)
                let r = withUnsafePointer(to: &addr) { p -> Int32 in
                    let sa = UnsafeRawPointer(p).assumingMemoryBound(to: sockaddr.self)
                    if !reuseport { return uv_tcp_bind(tcp, sa, 0) }
                    // libuv 1.44 has no UV_TCP_REUSEPORT: make the socket ourselves.
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
                if r < 0 { listener.close(); return fail(lua, errName(r)) }
            } else {
                throw LuaError("socket.listen: bad argument #1 'kind' (\"tcp\" or \"unix\" expected, got \"\(kind)\")")
            }
            listener.nodelay = nodelay
            listener.ceiling = ceiling
            let r = uv_listen(listener.stream, Int32(backlog), listenerCallback)
            if r < 0 {
                listener.unixPath = nil
                listener.close()
                return fail(lua, errName(r))
            }
            pushObject(vm, listener, listenerMetatable, onto: lua)
            return 1
        }
    }

    // accept(listener) -> conn | nil, err
    static let accept: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let l = object(lua, vm, 1, listenerMetatable, as: Listener.self) else {
                throw .badArgument("socket.accept", 1, "listener", expected: "socket listener", got: lua.typeName(at: 1))
            }
            if l.closed { return fail(lua, "closed") }
            if !l.queue.isEmpty {
                let c = l.queue.removeFirst()
                l.acceptDeferred()
                pushObject(vm, c, connMetatable, onto: lua)
                return 1
            }
            if let e = l.error { return fail(lua, e) }
            let fiber = try vm.suspendingFiber("socket.accept")
            if let n = fiber.takeInterruption(lua) { return n }
            if l.waiter != nil { throw LuaError("socket.accept: another fiber is already accepting on this listener") }
            l.waiter = fiber
            l.serial = fiber.suspend(on: l, external: true)
            return vm.yield(lua)
        }
    }

    // connect(host, port) / connect("unix", path) -> conn | nil, err
    static let connect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let host = try lua.checkString(1, "socket.connect", "host")
            if host == "unix" || host.contains("/") {
                let path = host == "unix" ? try lua.checkString(2, "socket.connect", "path") : host
                let fiber = try vm.suspendingFiber("socket.connect")
                if let n = fiber.takeInterruption(lua) { return n }
                let pipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
                uv_pipe_init(vm.worker.loop, pipe, 0)
                let c = Conn(vm: vm, handle: UnsafeMutableRawPointer(pipe), tcp: false)
                let op = ConnectOp(conn: c, fiber: fiber)
                let req = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
                req.pointee.data = Unmanaged.passRetained(op).toOpaque()
                op.connecting = true
                uv_pipe_connect(req, pipe, path, connectCallback)
                op.serial = fiber.suspend(on: op, external: true)
                return vm.yield(lua)
            }
            let port = try lua.checkInteger(2, "socket.connect", "port")
            guard (1...65535).contains(port) else {
                throw LuaError("socket.connect: bad argument #2 'port' (1..65535 expected, got \(port))")
            }
            let fiber = try vm.suspendingFiber("socket.connect")
            if let n = fiber.takeInterruption(lua) { return n }
            let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
            uv_tcp_init(vm.worker.loop, tcp)
            let c = Conn(vm: vm, handle: UnsafeMutableRawPointer(tcp), tcp: true)
            let op = ConnectOp(conn: c, fiber: fiber)
            // names were resolved by the Lua side (socket.resolve)
            guard var addr = literalAddress(host, port) else { c.close(); return fail(lua, "EINVAL") }
            let r = withUnsafePointer(to: &addr) { op.startConnect(UnsafeRawPointer($0).assumingMemoryBound(to: sockaddr.self)) }
            if r < 0 { c.close(); return fail(lua, errName(r)) }
            op.serial = fiber.suspend(on: op, external: true)
            return vm.yield(lua)
        }
    }

    static func startRead(_ lua: LuaState, _ name: String, _ mode: Conn.Mode, conn c: Conn) throws(LuaError) -> Int32 {
        let vm = c.vm
        if let o = c.outcome(mode) { return c.push(o, mode, lua) }
        let fiber = try vm.suspendingFiber(name)
        if let n = fiber.takeInterruption(lua) { return n }
        if c.reader != nil { throw LuaError("\(name): another fiber is already reading this connection") }
        c.mode = mode
        if let e = c.ensureReading() { return fail(lua, e) }
        c.reader = fiber
        c.readSerial = fiber.suspend(on: c, external: true)
        return vm.yield(lua)
    }

    // read(conn, n?) -> data | nil, err: the next bytes available, or exactly n bytes.
    static let read: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.read")
            if let n = try lua.optInteger(2, "socket.read", "n") {
                guard n >= 0 else { throw LuaError("socket.read: bad argument #2 'n' (integer >= 0 expected, got \(n))") }
                if n == 0 && !c.closed { lua.push(""); return 1 }
                return try startRead(lua, "socket.read", .exact(n), conn: c)
            }
            return try startRead(lua, "socket.read", .some, conn: c)
        }
    }

    // readline(conn) -> line (without its end-of-line) | nil, err
    static let readline: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.readline")
            return try startRead(lua, "socket.readline", .line, conn: c)
        }
    }

    // write(conn, data) -> true | nil, err
    static let write: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.write")
            let data = try lua.checkBytes(2, "socket.write", "data")
            let r = c.write(lua, data)
            if r == Conn.noFiber { throw LuaError("socket.write: cannot suspend outside a fiber") }
            return r
        }
    }

    // close(h): closes a connection or listener (idempotent); returns true.
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            if let c = object(lua, vm, 1, connMetatable, as: Conn.self) {
                c.close()
            } else if let l = object(lua, vm, 1, listenerMetatable, as: Listener.self) {
                l.close()
            } else if let u = object(lua, vm, 1, UDPModule.metatable, as: UDPSocket.self) {
                u.close()
            } else {
                throw .badArgument("socket.close", 1, "socket", expected: "socket", got: lua.typeName(at: 1))
            }
            lua.push(true)
            return 1
        }
    }

    // __gc of every socket userdata: closes and drops the reference.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard lua_type(lua.L, 1) == LUA_TUSERDATA, let box = lua_touserdata(lua.L, 1),
                  let o = box.load(as: UnsafeMutableRawPointer?.self) else { return 0 }
            box.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            let object = Unmanaged<AnyObject>.fromOpaque(o).takeRetainedValue()
            if let c = object as? Conn { c.close() }
            else if let l = object as? Listener { l.close() }
            else if let u = object as? UDPSocket { u.close() }
            return 0
        }
    }

    static let getpeername: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.getpeername")
            return pushName(lua, of: c, peer: true)
        }
    }

    static let getsockname: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            if let u = object(lua, vm, 1, UDPModule.metatable, as: UDPSocket.self) {
                return u.pushSockname(lua)
            }
            let s = try stream(lua, vm, 1, "socket.getsockname")
            return pushName(lua, of: s, peer: false)
        }
    }

    /// Pushes the local (or peer) address of a stream socket: a path for a
    /// Unix socket, host and port for TCP; `nil, err` on failure.
    private static func pushName(_ lua: LuaState, of s: StreamSocket, peer: Bool) -> Int32 {
        if s.closed { return fail(lua, "closed") }
        if !s.tcp {
            let pipe = UnsafeMutableRawPointer(s.stream).assumingMemoryBound(to: uv_pipe_t.self)
            var buf = [CChar](repeating: 0, count: 256)
            var size = buf.count
            let r = peer ? uv_pipe_getpeername(pipe, &buf, &size) : uv_pipe_getsockname(pipe, &buf, &size)
            if r < 0 { return fail(lua, errName(r)) }
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
        if r < 0 { return fail(lua, errName(r)) }
        return withUnsafePointer(to: &st) { pushAddress(lua, UnsafeRawPointer($0)) }
    }

    static let setnodelay: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.setnodelay")
            if c.closed { return fail(lua, "closed") }
            if !c.tcp { lua.push(true); return 1 }
            let r = uv_tcp_nodelay(UnsafeMutableRawPointer(c.stream).assumingMemoryBound(to: uv_tcp_t.self),
                                   lua.toBoolean(2) ? 1 : 0)
            if r < 0 { return fail(lua, errName(r)) }
            lua.push(true)
            return 1
        }
    }

    // setreadlimit(conn, bytes): the ceiling of bytes buffered ahead of readers.
    static let setreadlimit: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try conn(lua, vm, 1, "socket.setreadlimit")
            let n = try lua.checkInteger(2, "socket.setreadlimit", "bytes")
            guard n >= 1 else { throw LuaError("socket.setreadlimit: bad argument #2 'bytes' (integer >= 1 expected, got \(n))") }
            c.ceiling = n
            lua.push(true)
            return 1
        }
    }
}

// MARK: - Byte buffer

/// A growable byte queue (malloc'd, freed as soon as it is empty so idle
/// connections hold no buffer).
struct ByteBuffer {
    var base: UnsafeMutablePointer<UInt8>? = nil
    var capacity = 0
    var lo = 0
    var hi = 0

    @inline(__always) var count: Int { hi - lo }
    @inline(__always) var bytes: UnsafeMutablePointer<UInt8> { base! + lo }

    mutating func append(_ src: UnsafeRawPointer, _ n: Int) {
        if hi + n > capacity {
            if lo > 0, let b = base {
                memmove(b, b + lo, hi - lo)
                hi -= lo
                lo = 0
            }
            if hi + n > capacity {
                var cap = max(capacity * 2, 4096)
                while cap < hi + n { cap *= 2 }
                base = realloc(base, cap)!.assumingMemoryBound(to: UInt8.self)
                capacity = cap
            }
        }
        memcpy(base! + hi, src, n)
        hi += n
    }

    mutating func consume(_ n: Int) {
        lo += n
        if lo >= hi { reset() }
    }

    mutating func reset() {
        free(base)
        base = nil
        capacity = 0
        lo = 0
        hi = 0
    }
}

// MARK: - Stream sockets

/// What connections and listeners share: a uv stream handle (TCP or pipe).
class StreamSocket: VMResource {
    let vm: VM
    let handle: UnsafeMutableRawPointer
    let tcp: Bool
    var closed = false

    var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }

    init(vm: VM, handle: UnsafeMutableRawPointer, tcp: Bool) {
        self.vm = vm
        self.handle = handle
        self.tcp = tcp
        stream.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        vm.register(self)
    }

    /// Closes the handle (memory freed in the close callback).
    func closeHandle() {
        guard !closed else { return }
        closed = true
        vm.unregister(self)
        stream.pointee.data = nil
        uv_close(handle.assumingMemoryBound(to: uv_handle_t.self), freeHandleCallback)
    }

    func release() {}
}

final class Conn: StreamSocket, FiberWait {
    enum Mode { case some, exact(Int), line, http(maxHeader: Int, maxBody: Int) }
    enum Outcome { case bytes(Int, consume: Int), fail(String), http(HTTPHead), httpError(Int) }
    static let noFiber: Int32 = -100

    var buffer = ByteBuffer()
    var eof = false
    var error: String?
    var reading = false
    var ceiling = SocketModule.defaultCeiling
    var reader: Fiber?
    var readSerial: UInt64 = 0
    var mode: Mode = .some
    var head = HTTPHead()

    /// The most bytes buffered before reading pauses, for the current mode.
    var limit: Int {
        switch mode {
        case .exact(let n): return max(ceiling, n)
        case .http(let h, let b): return max(ceiling, h + 2 * b + 4096)
        default: return ceiling
        }
    }

    func close() { close(wake: true) }

    func close(wake: Bool) {
        guard !closed else { return }
        closeHandle()
        buffer.reset()
        if wake, let f = reader {
            reader = nil
            f.wake(serial: readSerial) { lua in SocketModule.fail(lua, "closed") }
        }
    }

    override func release() {
        reader = nil
        close(wake: false)
    }

    func cancelWait(of fiber: Fiber) {
        if reader === fiber { reader = nil }
    }

    /// Starts reading if the buffer has room; returns an error name on failure.
    func ensureReading() -> String? {
        guard !reading, !eof, error == nil, !closed, buffer.count < limit else { return nil }
        let r = uv_read_start(stream, connAllocCallback, connReadCallback)
        if r < 0 { error = SocketModule.errName(r); return error }
        reading = true
        return nil
    }

    func stopReading() {
        if reading { uv_read_stop(stream); reading = false }
    }

    /// What a read in `mode` gets now, or nil if it must wait.
    func outcome(_ mode: Mode) -> Outcome? {
        if closed { return .fail("closed") }
        let n = buffer.count
        switch mode {
        case .some:
            if n > 0 { return .bytes(n, consume: n) }
        case .exact(let want):
            if n >= want { return .bytes(want, consume: want) }
        case .line:
            if n > 0, let p = memchr(buffer.bytes, 10, n) {
                let i = buffer.bytes.distance(to: p.assumingMemoryBound(to: UInt8.self))
                let len = (i > 0 && buffer.bytes[i - 1] == 13) ? i - 1 : i
                return .bytes(len, consume: i + 1)
            }
            if (eof || error != nil) && n > 0 { return .bytes(n, consume: n) }
            if n >= limit { return .fail("line too long") }
        case .http(let maxHeader, let maxBody):
            if n > 0 {
                switch parseHTTPRequest(buffer.bytes, n, maxHeader: maxHeader, maxBody: maxBody, into: &head) {
                case .done: return .http(head)
                case .error(let code): return .httpError(code)
                case .incomplete:
                    if n >= limit { return .httpError(head.headerEnd > 0 ? 413 : 431) }
                }
            }
        }
        if let e = error { return .fail(e) }
        if eof { return .fail("closed") }
        return nil
    }

    /// Pushes an outcome onto `lua`, consuming buffered bytes; returns the count.
    func push(_ o: Outcome, _ mode: Mode, _ lua: LuaState) -> Int32 {
        let n: Int32
        switch o {
        case .bytes(let len, let consume):
            lua_pushlstring(lua.L, UnsafeRawPointer(buffer.bytes).assumingMemoryBound(to: CChar.self), len)
            buffer.consume(consume)
            n = 1
        case .fail(let e):
            return SocketModule.fail(lua, e)
        case .http(let h):
            n = HTTPModule.pushRequest(h, buffer.bytes, lua)
            buffer.consume(h.consumed)
        case .httpError(let code):
            lua.pushNil()
            lua.push(code)
            buffer.reset()
            stopReading()
            return 2
        }
        if !reading { _ = ensureReading() }
        return n
    }

    fileprivate func onRead(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?) {
        if nread > 0, let base = buf?.pointee.base {
            buffer.append(base, nread)
        }
        free(buf?.pointee.base)
        if nread < 0 {
            stopReading()
            if nread == Int(UV_EOF.rawValue) { eof = true } else { error = SocketModule.errName(Int32(nread)) }
        } else if buffer.count >= limit {
            stopReading()
        }
        if let f = reader, let o = outcome(mode) {
            reader = nil
            let mode = self.mode
            f.wake(serial: readSerial) { lua in push(o, mode, lua) }
        }
    }

    /// Writes all of `data`: at once when the kernel takes it, else with
    /// `uv_write` and the fiber waiting for completion.
    func write(_ lua: LuaState, _ data: UnsafeRawBufferPointer) -> Int32 {
        if closed { return SocketModule.fail(lua, "closed") }
        let fiber = vm.currentFiber
        if let f = fiber, let n = f.takeInterruption(lua) { return n }
        if data.count == 0 { lua.push(true); return 1 }
        var offset = 0
        var b = uv_buf_init(UnsafeMutableRawPointer(mutating: data.baseAddress!).assumingMemoryBound(to: CChar.self),
                            UInt32(data.count))
        let r = uv_try_write(stream, &b, 1)
        if r >= 0 {
            offset = Int(r)
            if offset == data.count { lua.push(true); return 1 }
        } else if r != UV_EAGAIN.rawValue {
            return SocketModule.fail(lua, SocketModule.errName(r))
        }
        guard let fiber else { return Conn.noFiber }
        let op = WriteOp(fiber: fiber, bytes: UnsafeRawBufferPointer(rebasing: data[offset...]))
        var wb = uv_buf_init(op.data.assumingMemoryBound(to: CChar.self), UInt32(op.count))
        op.req.pointee.data = Unmanaged.passRetained(op).toOpaque()
        let w = uv_write(op.req, stream, &wb, 1, writeCallback)
        if w < 0 {
            Unmanaged<WriteOp>.fromOpaque(op.req.pointee.data).release()
            return SocketModule.fail(lua, SocketModule.errName(w))
        }
        op.serial = fiber.suspend(on: op, external: true)
        return vm.yield(lua)
    }
}

/// A pending `uv_write`.
typealias WriteOp = PendingSend<uv_write_t>

private let writeCallback: uv_write_cb = { req, status in
    Unmanaged<WriteOp>.fromOpaque(req!.pointee.data).takeRetainedValue().complete(status: status)
}

private let connAllocCallback: uv_alloc_cb = { _, _, buf in
    buf!.pointee.base = malloc(65536)!.assumingMemoryBound(to: CChar.self)
    buf!.pointee.len = 65536
}

private let connReadCallback: uv_read_cb = { stream, nread, buf in
    guard let data = stream?.pointee.data else { free(buf?.pointee.base); return }
    Unmanaged<Conn>.fromOpaque(data).takeUnretainedValue().onRead(nread, buf)
}

final class Listener: StreamSocket, FiberWait {
    var queue: [Conn] = []
    var waiter: Fiber?
    var serial: UInt64 = 0
    var error: String?
    var unixPath: String?
    var nodelay = false
    var ceiling = SocketModule.defaultCeiling
    /// A connection libuv holds because the queue was full (libuv stops
    /// accepting until it is taken).
    var deferred = false
    static let maxQueue = 1024

    func close() {
        guard !closed else { return }
        closeHandle()
        for c in queue { c.close() }
        queue.removeAll()
        if let path = unixPath { unlink(path) }
        if let f = waiter {
            waiter = nil
            f.wake(serial: serial) { lua in SocketModule.fail(lua, "closed") }
        }
    }

    override func release() {
        waiter = nil
        close()
    }

    func cancelWait(of fiber: Fiber) {
        if waiter === fiber { waiter = nil }
    }

    /// Accepts the connection libuv holds, now that the queue has room.
    func acceptDeferred() {
        if deferred && !closed {
            deferred = false
            if let c = take() { queue.append(c) }
        }
    }

    private func take() -> Conn? {
        let client: UnsafeMutableRawPointer
        if tcp {
            let t = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
            uv_tcp_init(vm.worker.loop, t)
            if nodelay { uv_tcp_nodelay(t, 1) }
            client = UnsafeMutableRawPointer(t)
        } else {
            let p = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
            uv_pipe_init(vm.worker.loop, p, 0)
            client = UnsafeMutableRawPointer(p)
        }
        let c = Conn(vm: vm, handle: client, tcp: tcp)
        c.ceiling = ceiling
        if uv_accept(stream, c.stream) < 0 { c.close(); return nil }
        return c
    }

    fileprivate func onConnection(_ status: Int32) {
        if status < 0 {
            if let f = waiter {
                waiter = nil
                f.wake(serial: serial) { lua in SocketModule.fail(lua, SocketModule.errName(status)) }
            }
            return
        }
        if waiter == nil && queue.count >= Listener.maxQueue { deferred = true; return }
        guard let c = take() else { return }
        if let f = waiter {
            waiter = nil
            let vm = self.vm
            f.wake(serial: serial) { lua in
                SocketModule.pushObject(vm, c, SocketModule.connMetatable, onto: lua)
                return 1
            }
        } else {
            queue.append(c)
        }
    }
}

private let listenerCallback: uv_connection_cb = { server, status in
    guard let data = server?.pointee.data else { return }
    Unmanaged<Listener>.fromOpaque(data).takeUnretainedValue().onConnection(status)
}

/// A connect request in progress.
final class ConnectOp: FiberWait {
    let conn: Conn
    let fiber: Fiber
    var serial: UInt64 = 0
    var cancelled = false
    var connecting = false

    init(conn: Conn, fiber: Fiber) {
        self.conn = conn
        self.fiber = fiber
    }

    func startConnect(_ addr: UnsafePointer<sockaddr>) -> Int32 {
        let req = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        req.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let r = uv_tcp_connect(req, conn.handle.assumingMemoryBound(to: uv_tcp_t.self), addr, connectCallback)
        if r < 0 {
            Unmanaged<ConnectOp>.fromOpaque(req.pointee.data).release()
            req.deallocate()
            return r
        }
        connecting = true
        return 0
    }

    func cancelWait(of fiber: Fiber) {
        cancelled = true
        conn.close(wake: false)
    }

    func finish(_ status: Int32) {
        if cancelled { conn.close(wake: false); return }
        if status < 0 {
            conn.close(wake: false)
            fiber.wake(serial: serial) { lua in SocketModule.fail(lua, SocketModule.errName(status)) }
            return
        }
        let vm = conn.vm, c = conn
        fiber.wake(serial: serial) { lua in
            SocketModule.pushObject(vm, c, SocketModule.connMetatable, onto: lua)
            return 1
        }
    }
}

private let connectCallback: uv_connect_cb = { req, status in
    let op = Unmanaged<ConnectOp>.fromOpaque(req!.pointee.data).takeRetainedValue()
    req!.deallocate()
    op.connecting = false
    op.finish(status)
}

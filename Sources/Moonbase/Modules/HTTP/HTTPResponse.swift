import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// `http.respond`: frames a response head (and body) in Swift and writes it
/// through the connection's stream interface.
extension HTTPModule {
    /// Bodies up to this size are copied into a Swift array with the head;
    /// bigger ones are written from the Lua string itself (a stalled client
    /// then holds no copy of its response).
    static let inlineBodyLimit = 16384

    // respond(conn, status, body, headers?, keep, mode) -> true | nil, err
    //   keep 0: close after; 1: keep alive; 2: keep alive, saying so (HTTP/1.0).
    //   mode 0: full response; 1: HEAD (no body); 2: head only, chunked framing;
    //   3: head only, the body streamed until the connection closes (HTTP/1.0).
    static let respond: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try SocketModule.connection(lua, vm, 1, "http.respond")
            let status = try lua.checkInteger(2, "http.respond", "status")
            guard (100...999).contains(status) else {
                throw LuaError("http.respond: bad argument 'status' (100..999 expected, got \(status))")
            }
            var body = UnsafeRawBufferPointer(start: nil, count: 0)
            if !lua.isNoneOrNil(3) {
                if lua.type(at: 3) == LUA_TNUMBER { lua_tolstring(lua.L, 3, nil) }  // numbers as text
                body = try lua.checkBytes(3, "http.respond", "body")
            }
            let keep = lua_tointeger(lua.L, 5)
            let keepAlive = keep > 0
            let mode = lua_tointeger(lua.L, 6)
            // A big body goes into memory that may fail (below), not into this array.
            let bigBody = mode == 0 && body.count > HTTPModule.inlineBodyLimit
            var out = [UInt8]()
            out.reserveCapacity(160 + (bigBody ? 0 : body.count))
            // Literals by their bytes: given both, Swift would pick `String` for a
            // literal, and appending a String's UTF-8 view costs hundreds of
            // instructions a call (this is the per-request path).
            func addLiteral(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
            func add(_ s: String) { out.append(contentsOf: s.utf8) }
            func addDecimal(_ n: Int) {
                var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: Int.max has 19 digits
                withUnsafeMutableBytes(of: &digits) { d in
                    var v = n, i = d.count
                    repeat { i -= 1; d[i] = UInt8(48 + v % 10); v /= 10 } while v > 0
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[i...]))
                }
            }
            func addBytes(_ p: UnsafePointer<CChar>, _ n: Int) {
                out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
            }
            if status == 200 { addLiteral("HTTP/1.1 200 OK\r\n") } else { add("HTTP/1.1 \(status) \(HTTPStatusReason.phrase(status))\r\n") }
            var hasType = false, hasLength = false
            // The framing is ours: a handler's Content-Length or Transfer-Encoding
            // is kept only on a HEAD response (it describes the GET's body); else
            // a wrong length would desync keep-alive, or go out beside chunked.
            let keepsFraming = mode == 1
            /// Adds the header whose name and value are at the top of the stack
            /// (a value that is a list adds one line per element: Set-Cookie).
            func addHeader(_ k: UnsafePointer<CChar>, _ kl: Int, valueAt i: Int32) {
                var vl = 0
                let v = lua_tolstring(lua.L, i, &vl)!
                // No CR/LF may reach the wire from a header (response splitting).
                for x in 0..<kl where k[x] == 13 || k[x] == 10 || k[x] == 58 { return }
                for x in 0..<vl where v[x] == 13 || v[x] == 10 { return }
                let isLength = kl == 14 && strncasecmp(k, "content-length", 14) == 0
                let isCoding = kl == 17 && strncasecmp(k, "transfer-encoding", 17) == 0
                if (isLength || isCoding) && !keepsFraming { return }
                if kl == 12 && strncasecmp(k, "content-type", 12) == 0 { hasType = true }
                if isLength { hasLength = true }
                addBytes(k, kl); addLiteral(": "); addBytes(v, vl); addLiteral("\r\n")
            }
            func isText(_ i: Int32) -> Bool { lua.type(at: i) == LUA_TSTRING || lua.type(at: i) == LUA_TNUMBER }
            if lua.type(at: 4) == LUA_TTABLE {
                lua_pushnil(lua.L)
                while lua_next(lua.L, 4) != 0 {
                    if lua.type(at: -2) == LUA_TSTRING {
                        var kl = 0
                        let k = lua_tolstring(lua.L, -2, &kl)!
                        if isText(-1) {
                            addHeader(k, kl, valueAt: -1)
                        } else if lua.type(at: -1) == LUA_TTABLE {
                            var e: Int32 = 1
                            while true {
                                lua_rawgeti(lua.L, -1, e)
                                defer { mb_pop(lua.L, 1) }
                                guard isText(-1) else { break }
                                addHeader(k, kl, valueAt: -1)
                                e += 1
                            }
                        }
                    }
                    mb_pop(lua.L, 1)
                }
            }
            if !hasType && mode < 2 { addLiteral("Content-Type: text/plain\r\n") }
            if mode == 2 {
                addLiteral("Transfer-Encoding: chunked\r\n")
            } else if mode != 3 && !hasLength && status >= 200 && status != 204 && status != 304 {
                addLiteral("Content-Length: "); addDecimal(body.count); addLiteral("\r\n")
            }
            addLiteral("Date: ")
            if let reader = HTTPRequestReader.current(c) {
                out.append(contentsOf: reader.date())
            } else {
                out.append(contentsOf: HTTPRequestReader.formatDate(time(nil)))
            }
            addLiteral("\r\n")
            if !keepAlive { addLiteral("Connection: close\r\n") } else if keep == 2 { addLiteral("Connection: keep-alive\r\n") }
            addLiteral("\r\n")
            if bigBody {
                // The head is written, then the body string itself: referenced while
                // the write waits, never copied (the same body to many clients is held once).
                let written = out.withUnsafeBytes { head in
                    Result { () throws(LuaError) -> Int32 in
                        try c.write(lua, head: head, body: body, stringAt: 3, "http.respond")
                    }
                }
                return try written.get()
            }
            if mode == 0, body.count > 0 { out.append(contentsOf: body) }
            let written = out.withUnsafeBytes { bytes in
                Result { () throws(LuaError) -> Int32 in try c.write(lua, bytes, "http.respond") }
            }
            return try written.get()
        }
    }
}

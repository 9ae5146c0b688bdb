import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// Reads HTTP/1.x requests off a socket connection: parses the connection's
/// buffer with `parseHTTPRequest` and pushes each request to Lua. One per
/// connection (kept in `SocketConnection.parser`), so `head` keeps its
/// capacity from one request to the next.
final class HTTPRequestReader: ConnectionParser {
    var maxHeader: Int
    var maxBody: Int
    /// Timeouts (seconds, 0: none): between requests, for a whole head, between body reads.
    var idleTimeout = 0.0, headerTimeout = 0.0, bodyTimeout = 0.0
    /// Requests read so far: before the first, a connection waits in the head phase.
    private var requests = 0
    /// The Date header's value for the second `dateSecond`, formatted once a second.
    private var dateSecond = 0
    private(set) var dateValue = [UInt8]()
    private var head = HTTPHead()
    /// The request (`requests` then) a 100 Continue was owed or sent for.
    private var continued = -1
    private var owesContinue = false
    /// The status (400, 413, 431) of the last rejected request.
    private var rejection = 400

    init(maxHeader: Int, maxBody: Int) {
        self.maxHeader = maxHeader
        self.maxBody = maxBody
    }

    /// The connection's reader if it is an HTTP one. A metatype comparison,
    /// not `as?`: a cast to a class from the protocol existential looks the
    /// conformance up on every request.
    @inline(__always) static func current(_ conn: SocketConnection) -> HTTPRequestReader? {
        guard let p = conn.parser, type(of: p) == HTTPRequestReader.self else { return nil }
        return unsafeDowncast(p, to: HTTPRequestReader.self)
    }

    /// The reader of `conn`, made at its first request.
    static func of(_ conn: SocketConnection, maxHeader: Int, maxBody: Int) -> HTTPRequestReader {
        if let reader = current(conn) {
            reader.maxHeader = maxHeader
            reader.maxBody = maxBody
            return reader
        }
        let reader = HTTPRequestReader(maxHeader: maxHeader, maxBody: maxBody)
        conn.parser = reader
        return reader
    }

    /// Bytes a connection may buffer beyond the head and body it is allowed
    /// (a read in flight, the start of a pipelined request).
    static let slack = 16384

    /// The buffering bound (docs/API.md, "memory per connection"): between
    /// requests and in a head, `maxHeader + slack`; in a body, the head, the
    /// body (a chunked body's framing is dropped as it is parsed, its
    /// trailers may take `maxHeader`) and `slack`. A connection whose handler
    /// does not read (it waits in a write) stops reading at this bound.
    func bufferLimit(ceiling: Int) -> Int {
        guard head.resumeBody else { return maxHeader + HTTPRequestReader.slack }
        let body = head.chunked ? maxBody + maxHeader : head.contentLength
        return head.headerEnd + body + HTTPRequestReader.slack
    }

    func parse(_ bytes: UnsafeMutablePointer<UInt8>, count: inout Int) -> ConnectionParse {
        switch parseHTTPRequest(bytes, count, maxHeader: maxHeader, maxBody: maxBody, into: &head) {
        case .done: return .message
        case .error(let code): rejection = code; return .rejected
        case .incomplete:
            if head.resumeBody && head.chunked { count = head.dropChunkFraming(bytes, count) }
            // A client that asked waits for this before sending its body (curl: 1 s).
            if head.resumeBody && head.expectContinue && continued != requests {
                continued = requests
                owesContinue = true
            }
            guard count >= bufferLimit(ceiling: 0) else { return .incomplete }
            rejection = head.headerEnd > 0 ? 413 : 431
            return .rejected
        }
    }

    func takeReply() -> StaticString? {
        guard owesContinue else { return nil }
        owesContinue = false
        return "HTTP/1.1 100 Continue\r\n\r\n"
    }

    /// Pushes method, target, headers, body, keepalive.
    func pushMessage(_ p: UnsafeMutablePointer<UInt8>, onto lua: LuaState) -> (values: Int32, consumed: Int) {
        let h = head
        let L = lua.L
        func pushRange(_ a: Int, _ b: Int) {
            lua_pushlstring(L, UnsafeRawPointer(p + a).assumingMemoryBound(to: CChar.self), b - a)
        }
        pushRange(h.methodStart, h.methodEnd)
        pushRange(h.targetStart, h.targetEnd)
        lua_createtable(L, 0, Int32(h.headers.count))
        // A repeated name's values are joined with ", " once, at the end:
        // joining at each repeat would copy the value so far (quadratic).
        var repeated: [String: [UInt8]] = [:]
        for (ns, ne, vs, ve) in h.headers {
            pushRange(ns, ne)
            lua_pushvalue(L, -1)
            lua_rawget(L, -3)
            if lua_type(L, -1) == LUA_TSTRING {
                let name = String(decoding: UnsafeBufferPointer(start: p + ns, count: ne - ns), as: UTF8.self)
                var joined = repeated.removeValue(forKey: name) ?? {
                    var first = 0
                    let s = lua_tolstring(L, -1, &first)!
                    return Array(UnsafeRawBufferPointer(start: s, count: first))
                }()
                joined.append(44); joined.append(32)
                joined.append(contentsOf: UnsafeBufferPointer(start: p + vs, count: ve - vs))
                repeated[name] = joined
                mb_pop(L, 2)
            } else {
                mb_pop(L, 1)
                pushRange(vs, ve)
                lua_rawset(L, -3)
            }
        }
        for (name, value) in repeated {
            lua.push(name)
            value.withUnsafeBytes { b in
                lua_pushlstring(L, b.baseAddress!.assumingMemoryBound(to: CChar.self), b.count)
            }
            lua_rawset(L, -3)
        }
        pushRange(h.bodyStart, h.bodyEnd)  // a chunked body's data is together already
        lua.push(h.keepAlive)
        lua.push(h.minor == 0)
        head.resumeBody = false
        requests += 1
        return (6, h.consumed)
    }

    func wait(buffered: Int) -> ParserWait {
        if buffered == 0 && requests > 0 { return ParserWait(phase: 0, seconds: idleTimeout) }
        if buffered == 0 || head.headerEnd == 0 { return ParserWait(phase: 1, seconds: headerTimeout) }
        return ParserWait(phase: 2, seconds: bodyTimeout, restartOnData: true)
    }

    /// nil, "timeout" between requests (the connection just closes); nil, 408 within one.
    func pushTimeout(_ wait: ParserWait, onto lua: LuaState) -> Int32 {
        head.resumeBody = false
        if wait.phase == 0 { return lua.pushFailure("timeout") }
        lua.pushNil()
        lua.push(408)
        return 2
    }

    /// The Date header's value now ("Sun, 06 Nov 1994 08:49:37 GMT").
    func date() -> [UInt8] {
        let now = time(nil)
        if now != dateSecond || dateValue.isEmpty {
            dateSecond = now
            dateValue = HTTPRequestReader.formatDate(now)
        }
        return dateValue
    }

    static func formatDate(_ t: Int) -> [UInt8] {
        var tt = time_t(t)
        var tm = tm()
        gmtime_r(&tt, &tm)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm)
        return buf[0..<n].map { UInt8(bitPattern: $0) }
    }

    /// Pushes nil, status.
    func pushRejection(onto lua: LuaState) -> Int32 {
        head.resumeBody = false
        lua.pushNil()
        lua.push(rejection)
        return 2
    }
}

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
    private var head = HTTPHead()
    /// The status (400, 413, 431) of the last rejected request.
    private var rejection = 400

    init(maxHeader: Int, maxBody: Int) {
        self.maxHeader = maxHeader
        self.maxBody = maxBody
    }

    /// The reader of `conn`, made at its first request.
    static func of(_ conn: SocketConnection, maxHeader: Int, maxBody: Int) -> HTTPRequestReader {
        if let reader = conn.parser as? HTTPRequestReader {
            reader.maxHeader = maxHeader
            reader.maxBody = maxBody
            return reader
        }
        let reader = HTTPRequestReader(maxHeader: maxHeader, maxBody: maxBody)
        conn.parser = reader
        return reader
    }

    /// Room for a whole request whose body may arrive chunked (framing included).
    func bufferLimit(ceiling: Int) -> Int { max(ceiling, maxHeader + 2 * maxBody + 4096) }

    func parse(_ bytes: UnsafeMutablePointer<UInt8>, count: Int, full: Bool) -> ConnectionParse {
        switch parseHTTPRequest(bytes, count, maxHeader: maxHeader, maxBody: maxBody, into: &head) {
        case .done: return .message
        case .error(let code): rejection = code; return .rejected
        case .incomplete:
            guard full else { return .incomplete }
            rejection = head.headerEnd > 0 ? 413 : 431
            return .rejected
        }
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
        for (ns, ne, vs, ve) in h.headers {
            pushRange(ns, ne)
            lua_pushvalue(L, -1)
            lua_rawget(L, -3)
            if lua_type(L, -1) == LUA_TSTRING {
                lua.push(", ")
                pushRange(vs, ve)
                lua_concat(L, 3)
            } else {
                mb_pop(L, 1)
                pushRange(vs, ve)
            }
            lua_rawset(L, -3)
        }
        if h.chunked {
            // Move the chunks together, in place, and push them as one string.
            var w = h.chunks.first?.0 ?? 0
            let start = w
            for (a, b) in h.chunks {
                if a != w { memmove(p + w, p + a, b - a) }
                w += b - a
            }
            pushRange(start, w)
        } else {
            pushRange(h.bodyStart, h.bodyEnd)
        }
        lua.push(h.keepAlive)
        return (5, h.consumed)
    }

    /// Pushes nil, status.
    func pushRejection(onto lua: LuaState) -> Int32 {
        lua.pushNil()
        lua.push(rejection)
        return 2
    }
}

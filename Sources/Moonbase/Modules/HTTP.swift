import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// Offsets of one parsed HTTP/1.x request inside a connection's buffer.
struct HTTPHead {
    var consumed = 0
    var methodStart = 0, methodEnd = 0
    var targetStart = 0, targetEnd = 0
    var minor = 1
    var headerEnd = 0
    /// name start, name end, value start, value end
    var headers: [(Int, Int, Int, Int)] = []
    var bodyStart = 0, bodyEnd = 0
    var chunks: [(Int, Int)] = []
    var chunked = false
    var keepAlive = true
}

enum HTTPParse { case incomplete, done, error(Int) }

@inline(__always) private func isTokenChar(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
         UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
         UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default: return false
    }
}

@inline(__always) private func lower(_ c: UInt8) -> UInt8 {
    (c >= 65 && c <= 90) ? c | 0x20 : c
}

/// Finds "\r\n" in p[from..<n]; returns the index of '\r'.
@inline(__always) private func findCRLF(_ p: UnsafeMutablePointer<UInt8>, _ from: Int, _ n: Int) -> Int? {
    var i = from
    while i < n {
        guard let q = memchr(p + i, 13, n - i) else { return nil }
        let j = p.distance(to: q.assumingMemoryBound(to: UInt8.self))
        if j + 1 >= n { return nil }
        if p[j + 1] == 10 { return j }
        i = j + 1
    }
    return nil
}

private func equalsLower(_ p: UnsafeMutablePointer<UInt8>, _ a: Int, _ b: Int, _ s: StaticString) -> Bool {
    guard b - a == s.utf8CodeUnitCount else { return false }
    let q = s.utf8Start
    for k in 0..<(b - a) where p[a + k] != q[k] { return false }
    return true
}

/// Does the comma-separated value p[a..<b] contain `token` (lowercase), case-insensitively?
private func hasToken(_ p: UnsafeMutablePointer<UInt8>, _ a: Int, _ b: Int, _ token: StaticString) -> Bool {
    var i = a
    while i < b {
        while i < b && (p[i] == 32 || p[i] == 9 || p[i] == 44) { i += 1 }
        var j = i
        while j < b && p[j] != 44 { j += 1 }
        var e = j
        while e > i && (p[e - 1] == 32 || p[e - 1] == 9) { e -= 1 }
        if e - i == token.utf8CodeUnitCount {
            var same = true
            for k in 0..<(e - i) where lower(p[i + k]) != token.utf8Start[k] { same = false; break }
            if same { return true }
        }
        i = j + 1
    }
    return false
}

/// Parses one request at the start of p[0..<n]. Header names are lowercased in
/// place. Limits: head (request line + headers) at most `maxHeader` bytes
/// (431), body at most `maxBody` (413); anything malformed is 400.
func parseHTTPRequest(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, maxHeader: Int, maxBody: Int,
                      into h: inout HTTPHead) -> HTTPParse {
    h.headers.removeAll(keepingCapacity: true)
    h.chunks.removeAll(keepingCapacity: true)
    h.headerEnd = 0
    var start = 0
    while start + 1 < n && p[start] == 13 && p[start + 1] == 10 { start += 2 }  // stray CRLFs
    // Request line.
    guard let lineEnd = findCRLF(p, start, min(n, start + maxHeader)) else {
        if n - start >= maxHeader { return .error(431) }
        // Reject garbage early: a method is a token followed by a space.
        var i = start
        while i < n && isTokenChar(p[i]) { i += 1 }
        if i < n && p[i] != 32 { return .error(400) }
        return .incomplete
    }
    var i = start
    while i < lineEnd && isTokenChar(p[i]) { i += 1 }
    guard i > start, i < lineEnd, p[i] == 32 else { return .error(400) }
    h.methodStart = start; h.methodEnd = i
    i += 1
    let ts = i
    while i < lineEnd && p[i] > 32 && p[i] != 127 { i += 1 }
    guard i > ts, i < lineEnd, p[i] == 32 else { return .error(400) }
    h.targetStart = ts; h.targetEnd = i
    i += 1
    guard lineEnd - i == 8, equalsLower(p, i, i + 7, "HTTP/1.") else { return .error(400) }
    switch p[i + 7] {
    case UInt8(ascii: "1"): h.minor = 1
    case UInt8(ascii: "0"): h.minor = 0
    default: return .error(400)
    }
    // Headers.
    var contentLength = -1
    var chunked = false
    var connClose = false, connKeep = false
    var pos = lineEnd + 2
    let headLimit = min(n, start + maxHeader)
    while true {
        guard let e = findCRLF(p, pos, headLimit) else {
            return n - start >= maxHeader ? .error(431) : .incomplete
        }
        if e == pos { pos += 2; break }  // empty line: end of head
        let c0 = p[pos]
        if c0 == 32 || c0 == 9 { return .error(400) }  // obsolete line folding
        var j = pos
        while j < e && isTokenChar(p[j]) { p[j] = lower(p[j]); j += 1 }
        guard j > pos, j < e, p[j] == 58 else { return .error(400) }
        let ns = pos, ne = j
        j += 1
        while j < e && (p[j] == 32 || p[j] == 9) { j += 1 }
        var ve = e
        while ve > j && (p[ve - 1] == 32 || p[ve - 1] == 9) { ve -= 1 }
        for k in j..<ve where (p[k] < 32 && p[k] != 9) || p[k] == 127 { return .error(400) }
        h.headers.append((ns, ne, j, ve))
        switch ne - ns {
        case 14 where equalsLower(p, ns, ne, "content-length"):
            guard ve > j, ve - j <= 15 else { return .error(ve > j ? 413 : 400) }
            var v = 0
            for k in j..<ve {
                guard p[k] >= 48 && p[k] <= 57 else { return .error(400) }
                v = v * 10 + Int(p[k] - 48)
            }
            if contentLength >= 0 && contentLength != v { return .error(400) }
            contentLength = v
        case 17 where equalsLower(p, ns, ne, "transfer-encoding"):
            guard hasToken(p, j, ve, "chunked") else { return .error(400) }
            chunked = true
        case 10 where equalsLower(p, ns, ne, "connection"):
            if hasToken(p, j, ve, "close") { connClose = true }
            if hasToken(p, j, ve, "keep-alive") { connKeep = true }
        default: break
        }
        pos = e + 2
    }
    h.headerEnd = pos
    h.keepAlive = h.minor == 1 ? !connClose : (connKeep && !connClose)
    h.chunked = chunked
    if chunked {
        if contentLength >= 0 { return .error(400) }
        var total = 0
        var q = pos
        while true {
            guard let le = findCRLF(p, q, n) else {
                return n - q > 1024 ? .error(400) : .incomplete
            }
            var size = 0, k = q, digits = 0
            while k < le {
                let c = p[k]
                let d: Int
                switch c {
                case 48...57: d = Int(c) - 48
                case 97...102: d = Int(c) - 87
                case 65...70: d = Int(c) - 55
                default: d = -1
                }
                if d < 0 { break }
                size = size * 16 + d
                digits += 1
                if digits > 12 { return .error(413) }
                k += 1
            }
            guard digits > 0, k == le || p[k] == 59 || p[k] == 32 || p[k] == 9 else { return .error(400) }
            q = le + 2
            if size == 0 {
                // Trailers, up to an empty line.
                while true {
                    guard let te = findCRLF(p, q, n) else { return n - q > maxHeader ? .error(431) : .incomplete }
                    let empty = te == q
                    q = te + 2
                    if empty { break }
                }
                break
            }
            total += size
            if total > maxBody { return .error(413) }
            if n < q + size + 2 { return .incomplete }
            guard p[q + size] == 13, p[q + size + 1] == 10 else { return .error(400) }
            h.chunks.append((q, q + size))
            q += size + 2
        }
        h.consumed = q
        return .done
    }
    let len = max(contentLength, 0)
    if len > maxBody { return .error(413) }
    if n - pos < len { return .incomplete }
    h.bodyStart = pos
    h.bodyEnd = pos + len
    h.consumed = pos + len
    return .done
}

/// `require 'http'`: an HTTP/1.1 server on top of `socket`; parsing and
/// response framing in Swift over the connection's buffer.
enum HTTPModule {
    /// Pushes method, target, headers, body, keepalive; returns 5.
    static func pushRequest(_ h: HTTPHead, _ p: UnsafeMutablePointer<UInt8>, _ lua: LuaState) -> Int32 {
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
        return 5
    }

    // http_read(conn, maxHeader, maxBody) -> method, target, headers, body, keepalive
    //   | nil, status (400/413/431) | nil, err
    static let httpRead: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try SocketModule.conn(lua, vm, 1, "http.read")
            let maxHeader = try lua.checkInteger(2, "http.read", "max_header")
            let maxBody = try lua.checkInteger(3, "http.read", "max_body")
            return try SocketModule.startRead(lua, "http.read", .http(maxHeader: maxHeader, maxBody: maxBody), conn: c)
        }
    }

    static func reason(_ code: Int) -> String {
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status \(code)"
        }
    }

    // http_respond(conn, status, body, headers?, keepalive, mode) -> true | nil, err
    //   mode 0: full response; 1: HEAD (no body); 2: head only, chunked framing.
    static let httpRespond: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let c = try SocketModule.conn(lua, vm, 1, "http.respond")
            let status = try lua.checkInteger(2, "http.respond", "status")
            guard (100...999).contains(status) else {
                throw LuaError("http.respond: bad argument 'status' (100..999 expected, got \(status))")
            }
            var body = UnsafeRawBufferPointer(start: nil, count: 0)
            if !lua.isNoneOrNil(3) {
                if lua.type(at: 3) == LUA_TNUMBER { lua_tolstring(lua.L, 3, nil) }  // numbers as text
                body = try lua.checkBytes(3, "http.respond", "body")
            }
            let keepAlive = lua.toBoolean(5)
            let mode = Int(lua.toNumber(6))
            var out = [UInt8]()
            out.reserveCapacity(160 + body.count)
            func add(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
            func add(_ s: String) { out.append(contentsOf: s.utf8) }
            func addBytes(_ p: UnsafePointer<CChar>, _ n: Int) {
                out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
            }
            if status == 200 { add("HTTP/1.1 200 OK\r\n") } else { add("HTTP/1.1 \(status) \(reason(status))\r\n") }
            var hasType = false, hasLength = false
            if lua.type(at: 4) == LUA_TTABLE {
                lua_pushnil(lua.L)
                while lua_next(lua.L, 4) != 0 {
                    if lua.type(at: -2) == LUA_TSTRING, lua.type(at: -1) == LUA_TSTRING || lua.type(at: -1) == LUA_TNUMBER {
                        var kl = 0, vl = 0
                        let k = lua_tolstring(lua.L, -2, &kl)!
                        let v = lua_tolstring(lua.L, -1, &vl)!
                        // No CR/LF may reach the wire from a header (response splitting).
                        var clean = true
                        for i in 0..<kl where k[i] == 13 || k[i] == 10 || k[i] == 58 { clean = false }
                        for i in 0..<vl where v[i] == 13 || v[i] == 10 { clean = false }
                        if clean {
                            if kl == 12 && strncasecmp(k, "content-type", 12) == 0 { hasType = true }
                            if kl == 14 && strncasecmp(k, "content-length", 14) == 0 { hasLength = true }
                            addBytes(k, kl); add(": "); addBytes(v, vl); add("\r\n")
                        }
                    }
                    mb_pop(lua.L, 1)
                }
            }
            if !hasType && mode != 2 { add("Content-Type: text/plain\r\n") }
            if mode == 2 {
                add("Transfer-Encoding: chunked\r\n")
            } else if !hasLength && status >= 200 && status != 204 && status != 304 {
                add("Content-Length: \(body.count)\r\n")
            }
            if !keepAlive { add("Connection: close\r\n") }
            add("\r\n")
            if mode == 0, body.count > 0 { out.append(contentsOf: body) }
            let r = out.withUnsafeBytes { c.write(lua, $0) }
            if r == Conn.noFiber { throw LuaError("http.respond: cannot suspend outside a fiber") }
            return r
        }
    }

    static let definition = LuaModule(name: "http", source: """
        local raw, rt = ...
        require 'socket'
        local sraw = rt.socket_raw
        local S = rt.suspending
        local http_read, respond, write, close = S(sraw.http_read), S(sraw.http_respond), S(sraw.write), sraw.close
        local find, sub, format, type, pcall, error, setmetatable = string.find, string.sub, string.format, type, pcall, error, setmetatable
        local http = {}

        local Res = {}
        Res.__index = Res
        function Res:status(code) self._status = code; return self end
        function Res:header(name, value)
          local h = self._headers
          if not h then h = {}; self._headers = h end
          h[name] = value
          return self
        end
        function Res:write(data)
          data = data and tostring(data) or ''
          if self._done then return nil, 'finished' end
          if not self._started then
            self._started = true
            local ok, err = respond(self._conn, self._status or 200, nil, self._headers, self._keep, 2)
            if not ok then return nil, err end
          end
          if self._head or #data == 0 then return true end
          return write(self._conn, format('%x\\r\\n', #data) .. data .. '\\r\\n')
        end
        function Res:finish(data)
          if self._done then return nil, 'finished' end
          if self._started then
            if data then self:write(data) end
            self._done = true
            if self._head then return true end
            return write(self._conn, '0\\r\\n\\r\\n')
          end
          self._done = true
          return respond(self._conn, self._status or 200, data, self._headers, self._keep, self._head and 1 or 0)
        end

        local function serve_conn(conn, handler, max_header, max_body)
          while true do
            local method, target, headers, body, keep = http_read(conn, max_header, max_body)
            if not method then
              if type(target) == 'number' then
                respond(conn, target, '', nil, false, 0)
              end
              return
            end
            local path, query = target, nil
            local q = find(target, '?', 1, true)
            if q then path = sub(target, 1, q - 1); query = sub(target, q + 1) end
            local res = setmetatable({ _conn = conn, _keep = keep, _head = method == 'HEAD' }, Res)
            local req = { method = method, path = path, query = query, target = target, headers = headers, body = body }
            local ok, status, rbody, rheaders = pcall(handler, req, res)
            if not ok then
              if not res._started and not res._done then
                respond(conn, 500, 'Internal Server Error', nil, false, 0)
              end
              error(status, 0)
            end
            if not res._done then
              if status and not res._started then
                res._done = true
                local okw = respond(conn, status, rbody, rheaders, keep, res._head and 1 or 0)
                if not okw then return end
              else
                res:finish()
              end
            end
            if not keep or res._close then return end
          end
        end
        http.serve_conn = serve_conn

        -- serve(host, port, handler, opts) -> listener | nil, err; the server runs in
        -- fibers of its own until the listener is closed.
        function http.serve(host, port, handler, opts)
          if type(handler) ~= 'function' then
            error("http.serve: bad argument #3 'handler' (function expected, got " .. type(handler) .. ")", 2)
          end
          if opts ~= nil and type(opts) ~= 'table' then
            error("http.serve: bad argument #4 'opts' (table expected, got " .. type(opts) .. ")", 2)
          end
          opts = opts or {}
          local function limit(name, default)
            local v = opts[name]
            if v == nil then return default end
            if type(v) ~= 'number' or v < 1 or v % 1 ~= 0 then
              error(("http.serve: bad argument #4 'opts.%s' (integer >= 1 expected, got %s)"):format(name, tostring(v)), 3)
            end
            return v
          end
          local max_header = limit('max_header_size', 8192)
          local max_body = limit('max_body_size', 1048576)
          local socket = require 'socket'
          local lopts = { reuseport = opts.reuseport, backlog = opts.backlog, nodelay = true }
          return socket.serve(host, port, function(conn)
            serve_conn(conn, handler, max_header, max_body)
          end, lopts)
        end
        return http
        """)
}

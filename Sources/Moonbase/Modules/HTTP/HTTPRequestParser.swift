#if canImport(Glibc)
import Glibc
#endif

/// Offsets of one parsed HTTP/1.x request inside a connection's buffer.
/// The parser is pure Swift over bytes: no Lua, no libuv (unit-testable).
struct HTTPHead {
    var consumed = 0
    var methodStart = 0, methodEnd = 0
    var targetStart = 0, targetEnd = 0
    var minor = 1
    var headerEnd = 0
    /// name start, name end, value start, value end
    var headers: [(Int, Int, Int, Int)] = []
    var bodyStart = 0, bodyEnd = 0
    /// A chunked body's data is moved down, as each chunk is parsed, to end
    /// here (it starts at `headerEnd`): the framing is overwritten, and no
    /// list of chunks grows with their number.
    var dataEnd = 0
    var chunked = false
    var keepAlive = true
    /// `Expect: 100-continue` on HTTP/1.1: the client waits for an interim
    /// `100 Continue` before it sends the body.
    var expectContinue = false
    var contentLength = 0
    /// After `.incomplete` in the body: the next call, given the same bytes
    /// and more, resumes at the body (chunks already parsed are not parsed
    /// again: linear in the bytes received).
    var resumeBody = false
    /// Where the next chunk-size line starts, and the chunk bytes before it.
    var chunkNext = 0, chunkTotal = 0
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

/// Is p[a..<b] exactly `token` (lowercase), case-insensitively?
private func equalsLowerToken(_ p: UnsafeMutablePointer<UInt8>, _ a: Int, _ b: Int, _ token: StaticString) -> Bool {
    guard b - a == token.utf8CodeUnitCount else { return false }
    for k in 0..<(b - a) where lower(p[a + k]) != token.utf8Start[k] { return false }
    return true
}

/// Is the trailer line p[a..<b] a field: a token, a colon, a value without controls?
private func isTrailerField(_ p: UnsafeMutablePointer<UInt8>, _ a: Int, _ b: Int) -> Bool {
    var i = a
    while i < b && isTokenChar(p[i]) { i += 1 }
    guard i > a, i < b, p[i] == 58 else { return false }
    for k in (i + 1)..<b where (p[k] < 32 && p[k] != 9) || p[k] == 127 { return false }
    return true
}

/// Parses one request at the start of p[0..<n]. Header names are lowercased in
/// place. Limits: head (request line + headers) at most `maxHeader` bytes
/// (431), body at most `maxBody` (413); anything malformed is 400.
func parseHTTPRequest(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, maxHeader: Int, maxBody: Int,
                      into h: inout HTTPHead) -> HTTPParse {
    if h.resumeBody && n >= h.chunkNext {
        return parseHTTPBody(p, n, maxHeader: maxHeader, maxBody: maxBody, into: &h)
    }
    h.resumeBody = false
    h.headers.removeAll(keepingCapacity: true)
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
    var connClose = false, connKeep = false, hasHost = false, expectContinue = false
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
            var digits = j
            while digits + 1 < ve && p[digits] == 48 { digits += 1 }  // leading zeros
            guard ve > j, ve - digits <= 15 else { return .error(ve > j ? 413 : 400) }
            var v = 0
            for k in digits..<ve {
                guard p[k] >= 48 && p[k] <= 57 else { return .error(400) }
                v = v * 10 + Int(p[k] - 48)
            }
            if contentLength >= 0 && contentLength != v { return .error(400) }
            contentLength = v
        case 17 where equalsLower(p, ns, ne, "transfer-encoding"):
            // Only plain chunked: another coding (gzip, chunked) or chunked twice is 400.
            guard !chunked, equalsLowerToken(p, j, ve, "chunked") else { return .error(400) }
            chunked = true
        case 6 where equalsLower(p, ns, ne, "expect"):
            expectContinue = equalsLowerToken(p, j, ve, "100-continue")
        case 4 where equalsLower(p, ns, ne, "host"):
            hasHost = true
        case 10 where equalsLower(p, ns, ne, "connection"):
            if hasToken(p, j, ve, "close") { connClose = true }
            if hasToken(p, j, ve, "keep-alive") { connKeep = true }
        default: break
        }
        pos = e + 2
    }
    h.headerEnd = pos
    if h.minor == 1 && !hasHost { return .error(400) }  // RFC 9112 3.2
    h.keepAlive = h.minor == 1 ? !connClose : (connKeep && !connClose)
    h.chunked = chunked
    h.expectContinue = expectContinue && h.minor == 1
    if chunked && contentLength >= 0 { return .error(400) }
    h.contentLength = max(contentLength, 0)
    h.chunkNext = pos
    h.chunkTotal = 0
    h.dataEnd = pos
    return parseHTTPBody(p, n, maxHeader: maxHeader, maxBody: maxBody, into: &h)
}

/// The body of the request whose head `h` holds, from `h.chunkNext` on.
private func parseHTTPBody(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, maxHeader: Int, maxBody: Int,
                           into h: inout HTTPHead) -> HTTPParse {
    h.resumeBody = false
    let pos = h.headerEnd
    if h.chunked {
        var total = h.chunkTotal
        var q = h.chunkNext
        while true {
            guard let le = findCRLF(p, q, n) else {
                if n - q > 1024 { return .error(400) }
                h.resumeBody = true
                return .incomplete
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
            for x in k..<le where (p[x] < 32 && p[x] != 9) || p[x] == 127 { return .error(400) }  // bare LF, NUL in extensions
            q = le + 2
            if size == 0 {
                // Trailers, up to an empty line (parsed again from the last chunk when incomplete).
                while true {
                    guard let te = findCRLF(p, q, n) else {
                        if n - q > maxHeader { return .error(431) }
                        h.resumeBody = true
                        return .incomplete
                    }
                    let empty = te == q
                    if !empty && !isTrailerField(p, q, te) { return .error(400) }
                    q = te + 2
                    if empty { break }
                }
                break
            }
            total += size
            if total > maxBody { return .error(413) }
            if n < q + size + 2 { h.resumeBody = true; return .incomplete }
            guard p[q + size] == 13, p[q + size + 1] == 10 else { return .error(400) }
            if q != h.dataEnd { memmove(p + h.dataEnd, p + q, size) }
            h.dataEnd += size
            q += size + 2
            h.chunkNext = q
            h.chunkTotal = total
        }
        h.bodyStart = pos
        h.bodyEnd = h.dataEnd
        h.consumed = q
        return .done
    }
    let len = h.contentLength
    if len > maxBody { return .error(413) }
    if n - pos < len { h.resumeBody = true; return .incomplete }
    h.bodyStart = pos
    h.bodyEnd = pos + len
    h.consumed = pos + len
    return .done
}

extension HTTPHead {
    /// Drops the framing before the unparsed rest of a chunked body (the
    /// parsed chunks' data is already together, see `dataEnd`): the rest
    /// moves down to follow the data. Returns the new byte count. So a
    /// stalled chunked body holds its data only, and the rest (at most one
    /// read) moves once per parse.
    mutating func dropChunkFraming(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
        let gap = chunkNext - dataEnd
        guard gap > 0 else { return n }
        memmove(p + dataEnd, p + chunkNext, n - chunkNext)
        chunkNext = dataEnd
        return n - gap
    }
}

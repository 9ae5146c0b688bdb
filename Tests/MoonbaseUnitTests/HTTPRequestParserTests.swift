@testable import Moonbase
import Testing

/// The HTTP/1.x request parser on raw bytes: complete and partial requests,
/// framing, and the status each malformed request earns.
struct HTTPRequestParserTests {
    private func parse(_ text: String, maxHeader: Int = 8192, maxBody: Int = 1 << 20) -> (HTTPParse, HTTPHead, [UInt8]) {
        var bytes = Array(text.utf8)
        var head = HTTPHead()
        let n = bytes.count
        let result = bytes.withUnsafeMutableBufferPointer { buf in
            parseHTTPRequest(buf.baseAddress!, n, maxHeader: maxHeader, maxBody: maxBody, into: &head)
        }
        return (result, head, bytes)
    }

    private func slice(_ bytes: [UInt8], _ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

    @Test func simpleGetIsParsed() {
        let (r, h, b) = parse("GET /path?q=1 HTTP/1.1\r\nHost: x\r\nX-A:  v \r\n\r\n")
        guard case .done = r else { Issue.record("not done: \(r)"); return }
        #expect(slice(b, h.methodStart, h.methodEnd) == "GET")
        #expect(slice(b, h.targetStart, h.targetEnd) == "/path?q=1")
        #expect(h.minor == 1 && h.keepAlive)
        #expect(h.headers.count == 2)
        #expect(h.consumed == b.count)
    }

    @Test func partialRequestsAreIncomplete() {
        let full = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        for cut in [1, 10, 20, full.utf8.count - 1] {
            let (r, _, _) = parse(String(full.utf8.prefix(cut))!)
            guard case .incomplete = r else { Issue.record("cut at \(cut): \(r)"); return }
        }
        let (r, h, b) = parse(full)
        guard case .done = r else { Issue.record("\(r)"); return }
        #expect(slice(b, h.bodyStart, h.bodyEnd) == "hello")
    }

    @Test func chunkedBodyIsFramed() {
        let (r, h, b) = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        guard case .done = r else { Issue.record("\(r)"); return }
        #expect(h.chunked)
        #expect(slice(b, h.bodyStart, h.bodyEnd) == "abcde")
        #expect(h.consumed == b.count)
    }

    @Test func pipelinedRequestsConsumeOneAtATime() {
        let one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        let (r, h, _) = parse(one + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .done = r else { Issue.record("\(r)"); return }
        #expect(h.consumed == one.utf8.count)
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() {
        let (_, close, _) = parse("GET / HTTP/1.0\r\n\r\n")
        #expect(close.minor == 0 && !close.keepAlive)
        let (_, keep, _) = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(keep.keepAlive)
        let (_, closed11, _) = parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(!closed11.keepAlive)
    }

    @Test func malformedRequestsGetTheirStatus() {
        let cases: [(String, Int)] = [
            ("GET / HTTP/2.0\r\n\r\n", 400),
            ("G@T / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
        ]
        for (text, status) in cases {
            let (r, _, _) = parse(text)
            guard case .error(let code) = r else { Issue.record("\(text.debugDescription): \(r)"); continue }
            #expect(code == status, "\(text.debugDescription)")
        }
    }

    @Test func oversizedHeadIsRefused() {
        let (r, _, _) = parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200) + "\r\n\r\n", maxHeader: 64)
        guard case .error(let code) = r else { Issue.record("\(r)"); return }
        #expect(code == 431)
    }
}

/// Framing rules added with the hardening of issue 12 and 19.
struct HTTPFramingRulesTests {
    private func status(_ text: String) -> Int? {
        var bytes = Array(text.utf8)
        var head = HTTPHead()
        let n = bytes.count
        let r = bytes.withUnsafeMutableBufferPointer { parseHTTPRequest($0.baseAddress!, n, maxHeader: 8192, maxBody: 1 << 20, into: &head) }
        if case .error(let code) = r { return code }
        return nil
    }

    @Test func http11WithoutHostIsRefused() {
        #expect(status("GET / HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.0\r\n\r\n") == nil)
    }

    @Test func onlyPlainChunkedIsAccepted() {
        for te in ["gzip, chunked", "chunked, gzip", "chunked, chunked", "gzip"] {
            #expect(status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(te)\r\n\r\n0\r\n\r\n") == 400, "\(te)")
        }
    }
}

/// Issue 12 item 3: a stalled chunked body holds its data, not its framing.
struct HTTPChunkFramingTests {
    @Test func framingIsDroppedAsChunksAreParsed() {
        let head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        var bytes = Array((head + String(repeating: "1\r\na\r\n", count: 100) + "3\r\nbc").utf8)
        var h = HTTPHead()
        var n = bytes.count
        let r = bytes.withUnsafeMutableBufferPointer { b in parseHTTPRequest(b.baseAddress!, n, maxHeader: 8192, maxBody: 1000, into: &h) }
        guard case .incomplete = r else { Issue.record("\(r)"); return }
        n = bytes.withUnsafeMutableBufferPointer { b in h.dropChunkFraming(b.baseAddress!, n) }
        #expect(n == head.utf8.count + 100 + 5)  // the data, then the unparsed "3\r\nbc"
        bytes.removeLast(bytes.count - n)
        bytes.append(contentsOf: Array("d\r\n0\r\n\r\n".utf8))
        n = bytes.count
        let done = bytes.withUnsafeMutableBufferPointer { b in parseHTTPRequest(b.baseAddress!, n, maxHeader: 8192, maxBody: 1000, into: &h) }
        guard case .done = done else { Issue.record("\(done)"); return }
        #expect(String(decoding: bytes[h.bodyStart..<h.bodyEnd], as: UTF8.self) == String(repeating: "a", count: 100) + "bcd")
        #expect(h.consumed == n)
    }
}

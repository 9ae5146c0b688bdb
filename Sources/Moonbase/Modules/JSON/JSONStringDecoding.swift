import CLuaJIT

/// Strings of `json.decode`: pushed straight from the text when they hold no
/// escape; otherwise unescaped (`\uXXXX` and surrogate pairs to UTF-8) first.
extension JSONDecoding {
    /// Reads the string whose opening quote is at `at` and pushes it.
    mutating func decodeString() throws(JSONDecodeFailure) {
        let start = at + 1
        var j = start
        while j < count {
            let c = text[j]
            if c == 0x22 {
                lua_pushlstring(L, UnsafeRawPointer(text + start).assumingMemoryBound(to: CChar.self), j - start)
                at = j + 1
                return
            }
            if c == 0x5C || c < 0x20 { break }
            j += 1
        }
        try decodeEscapedString(from: start, firstSpecial: j)
    }

    private mutating func decodeEscapedString(from start: Int, firstSpecial: Int) throws(JSONDecodeFailure) {
        unescaped.reset()
        var run = start  // first byte not yet copied
        var j = firstSpecial
        while j < count {
            let c = text[j]
            if c != 0x22 && c != 0x5C && c >= 0x20 { j += 1; continue }
            if j > run { unescaped.append(text + run, j - run) }
            if c == 0x22 {
                lua_pushlstring(L, UnsafeRawPointer(unescaped.base).assumingMemoryBound(to: CChar.self), unescaped.count)
                at = j + 1
                return
            }
            if c != 0x5C { throw fail("control character in string", at: j) }
            j = try unescape(at: j)
            run = j
        }
        throw fail("unterminated string", at: count)
    }

    /// Appends what the escape at `k` (a backslash) stands for; returns where
    /// the text goes on.
    private mutating func unescape(at k: Int) throws(JSONDecodeFailure) -> Int {
        let e: UInt8 = k + 1 < count ? text[k + 1] : 0
        switch e {
        case 0x22, 0x5C, 0x2F: unescaped.append(e)
        case 0x62: unescaped.append(0x08)
        case 0x66: unescaped.append(0x0C)
        case 0x6E: unescaped.append(0x0A)
        case 0x72: unescaped.append(0x0D)
        case 0x74: unescaped.append(0x09)
        case 0x75: return try unescapeCodePoint(at: k)
        default: throw fail("bad escape", at: k)
        }
        return k + 2
    }

    private mutating func unescapeCodePoint(at k: Int) throws(JSONDecodeFailure) -> Int {
        guard var code = hex4(at: k + 2) else { throw fail("bad \\u escape", at: k) }
        var next = k + 6
        if code >= 0xD800 && code <= 0xDBFF {
            // A high surrogate needs \u followed by a low one (dc00-dfff).
            guard next + 1 < count, text[next] == 0x5C, text[next + 1] == 0x75,
                  let low = hex4(at: next + 2), low >= 0xDC00 && low <= 0xDFFF else {
                throw fail("lone surrogate in \\u escape", at: k)
            }
            code = 0x10000 + (code - 0xD800) * 1024 + (low - 0xDC00)
            next += 6
        } else if code >= 0xDC00 && code <= 0xDFFF {
            throw fail("lone surrogate in \\u escape", at: k)
        }
        appendUTF8(code)
        return next
    }

    private func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= count else { return nil }
        var value: UInt32 = 0
        for p in i..<(i + 4) {
            let c = text[p]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ code: UInt32) {
        if code < 0x80 {
            unescaped.append(UInt8(code))
        } else if code < 0x800 {
            unescaped.append(UInt8(0xC0 | code >> 6))
            unescaped.append(UInt8(0x80 | code & 0x3F))
        } else if code < 0x10000 {
            unescaped.append(UInt8(0xE0 | code >> 12))
            unescaped.append(UInt8(0x80 | code >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | code & 0x3F))
        } else {
            unescaped.append(UInt8(0xF0 | code >> 18))
            unescaped.append(UInt8(0x80 | code >> 12 & 0x3F))
            unescaped.append(UInt8(0x80 | code >> 6 & 0x3F))
            unescaped.append(UInt8(0x80 | code & 0x3F))
        }
    }
}

import CLuaJIT
import CMoonbaseShim
import Glibc

/// Why a text is not JSON, and where (1-based byte position; one past the end
/// means "at the end of the text"). The Lua half formats the message.
struct JSONDecodeFailure: Error {
    let what: StaticString
    let position: Int
}

/// One `json.decode` call: a recursive descent over the text that pushes the
/// value it reads. Objects are plain tables, arrays carry the array mark,
/// `null` is the runtime's null; nesting stops at 1000 levels.
///
/// Tables are made empty and filled in text order, as the Lua version did, so
/// a decoded table iterates in the same order it always has.
struct JSONDecoding {
    static let maxDepth = 1000

    let L: OpaquePointer
    let text: UnsafePointer<UInt8>
    let count: Int
    /// Stack index of the array mark metatable.
    let arrayMark: Int32
    /// Where the next byte is read (0-based).
    var at = 0
    /// Unescaped bytes of a string with escapes, reused for each.
    var unescaped = JSONOutput(capacity: 64)

    init(L: OpaquePointer, text: UnsafeRawBufferPointer, arrayMark: Int32) {
        self.L = L
        self.text = text.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.count = text.count
        self.arrayMark = arrayMark
    }

    func finish() { unescaped.release() }

    /// The byte at `at`, or 0 past the end (0 never starts a valid token).
    @inline(__always) func peek() -> UInt8 { at < count ? text[at] : 0 }

    @inline(__always) func fail(_ what: StaticString, at position: Int) -> JSONDecodeFailure {
        JSONDecodeFailure(what: what, position: min(position, count) + 1)
    }

    @inline(__always) mutating func skipSpace() {
        while at < count {
            let c = text[at]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            at += 1
        }
    }

    /// The whole text: one value, then only white space.
    mutating func decodeDocument() throws(JSONDecodeFailure) {
        try decodeValue(depth: 0)
        skipSpace()
        if at < count { throw fail("trailing characters", at: at) }
    }

    mutating func decodeValue(depth: Int) throws(JSONDecodeFailure) {
        skipSpace()
        guard at < count else { throw fail("a value expected", at: at) }
        switch text[at] {
        case 0x22: try decodeString()
        case 0x7B: try decodeObject(depth: depth)
        case 0x5B: try decodeArray(depth: depth)
        case 0x74: try skipLiteral("true"); lua_pushboolean(L, 1)
        case 0x66: try skipLiteral("false"); lua_pushboolean(L, 0)
        case 0x6E: try skipLiteral("null"); lua_pushlightuserdata(L, UnsafeMutableRawPointer(mutating: Sentinel.null))
        case 0x2D, 0x30...0x39: try decodeNumber()
        default: throw fail("unexpected character", at: at)
        }
    }

    private mutating func skipLiteral(_ word: StaticString) throws(JSONDecodeFailure) {
        let n = word.utf8CodeUnitCount
        guard count - at >= n, memcmp(text + at, word.utf8Start, n) == 0 else {
            throw fail("unexpected character", at: at)
        }
        at += n
    }

    /// Room on the Lua stack for a container, its key and its value.
    private func openContainer(depth: Int) throws(JSONDecodeFailure) {
        if depth >= JSONDecoding.maxDepth || lua_checkstack(L, 4) == 0 {
            throw fail("nesting deeper than 1000", at: at)
        }
    }

    private mutating func decodeArray(depth: Int) throws(JSONDecodeFailure) {
        try openContainer(depth: depth)
        lua_createtable(L, 0, 0)
        lua_pushvalue(L, arrayMark)
        lua_setmetatable(L, -2)
        at += 1
        skipSpace()
        if peek() == 0x5D { at += 1; return }
        var n: Int32 = 0
        while true {
            try decodeValue(depth: depth + 1)
            n += 1
            lua_rawseti(L, -2, n)
            skipSpace()
            let c = peek()
            if c == 0x5D { at += 1; return }
            if c != 0x2C { throw fail("expected ',' or ']'", at: at) }
            at += 1
        }
    }

    private mutating func decodeObject(depth: Int) throws(JSONDecodeFailure) {
        try openContainer(depth: depth)
        lua_createtable(L, 0, 0)
        at += 1
        skipSpace()
        if peek() == 0x7D { at += 1; return }
        while true {
            if peek() != 0x22 { throw fail("expected a string key", at: at) }
            try decodeString()
            skipSpace()
            if peek() != 0x3A { throw fail("expected ':'", at: at) }
            at += 1
            try decodeValue(depth: depth + 1)
            lua_rawset(L, -3)
            skipSpace()
            let c = peek()
            if c == 0x7D { at += 1; return }
            if c != 0x2C { throw fail("expected ',' or '}'", at: at) }
            at += 1
            skipSpace()
        }
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?, read as Lua's tonumber
    /// reads it (correctly rounded; 1e400 is inf).
    private mutating func decodeNumber() throws(JSONDecodeFailure) {
        let start = at
        var j = at
        let negative = text[j] == 0x2D
        if negative { j += 1 }
        var integer: UInt64 = 0
        var digits = 0
        if j < count && text[j] == 0x30 {
            j += 1
            digits = 1
        } else if j < count && text[j] >= 0x31 && text[j] <= 0x39 {
            while j < count && text[j] >= 0x30 && text[j] <= 0x39 {
                if digits < 19 { integer = integer &* 10 &+ UInt64(text[j] - 0x30) }
                digits += 1
                j += 1
            }
        } else {
            throw fail("bad number", at: start)
        }
        var simple = digits <= 15
        if j < count && text[j] == 0x2E {
            j += 1
            guard j < count && text[j] >= 0x30 && text[j] <= 0x39 else { throw fail("bad number", at: start) }
            while j < count && text[j] >= 0x30 && text[j] <= 0x39 { j += 1 }
            simple = false
        }
        if j < count && (text[j] == 0x65 || text[j] == 0x45) {
            j += 1
            if j < count && (text[j] == 0x2B || text[j] == 0x2D) { j += 1 }
            guard j < count && text[j] >= 0x30 && text[j] <= 0x39 else { throw fail("bad number", at: start) }
            while j < count && text[j] >= 0x30 && text[j] <= 0x39 { j += 1 }
            simple = false
        }
        at = j
        if simple {
            // Exact: at most 15 digits fit a double's 53 bits. "-0" is -0.0.
            let value = Double(integer)
            lua_pushnumber(L, negative ? -value : value)
        } else {
            lua_pushnumber(L, JSONDecoding.parseDouble(text + start, j - start))
        }
    }

    /// strtod over exactly these bytes (a copy ending in NUL, so it cannot
    /// read a longer number than the grammar accepted).
    private static func parseDouble(_ bytes: UnsafePointer<UInt8>, _ n: Int) -> Double {
        if n < 64 {
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                let chars = buffer.baseAddress!
                UnsafeMutableRawPointer(chars).copyMemory(from: bytes, byteCount: n)
                chars[n] = 0
                return strtod(chars, nil)
            }
        }
        let chars = UnsafeMutablePointer<CChar>.allocate(capacity: n + 1)
        defer { chars.deallocate() }
        UnsafeMutableRawPointer(chars).copyMemory(from: bytes, byteCount: n)
        chars[n] = 0
        return strtod(chars, nil)
    }
}

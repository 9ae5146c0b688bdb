/// The text `json.encode` builds: a growable byte buffer with the JSON forms
/// of strings and numbers. Owned by one encode call and freed by `release`.
struct JSONOutput {
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes written (set directly only by the number writer, after `ensure`).
    var count = 0
    private var capacity: Int
    /// False while `base` is the caller's memory (not ours to free).
    private var ownsBase = true

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// Starts in `memory` (the caller's, e.g. on its stack: most texts are
    /// small and then need no allocation at all), moving to the heap if the
    /// text outgrows it.
    init(startingIn memory: UnsafeMutableBufferPointer<UInt8>) {
        base = memory.baseAddress!
        capacity = memory.count
        ownsBase = false
    }

    func release() { if ownsBase { base.deallocate() } }

    /// Empties the buffer, keeping its memory.
    mutating func reset() { count = 0 }

    @inline(__always) mutating func ensure(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        release()
        base = bigger
        ownsBase = true
        capacity = size
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        ensure(1)
        base[count] = byte
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafePointer<UInt8>, _ n: Int) {
        ensure(n)
        (base + count).update(from: bytes, count: n)
        count += n
    }

    mutating func append(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// A quoted string: `"`, `\` and control characters (0-31 and 127, Lua's
    /// `%c`) escaped; every other byte as it is. Room for the plain case is
    /// made once; an escape makes room for itself and the rest again. Clean
    /// runs are checked and copied eight bytes at a time.
    mutating func appendString(_ s: UnsafePointer<UInt8>, _ n: Int) {
        ensure(n + 10)  // + 8: a short string's word is stored whole
        var out = base + count  // locals: the loop keeps them in registers
        out[0] = 0x22
        out += 1
        let raw = UnsafeRawPointer(s)
        if n < 8 {  // most keys and many values: one word, no loop
            let padding: UInt64 = 0x6161_6161_6161_6161  // "aaaaaaaa": needs no escape
            let word = jsonLoadUpTo8(raw, n) | (padding & ~((1 << UInt64(8 * n)) &- 1))
            if !jsonWordNeedsEscape(word) {
                UnsafeMutableRawPointer(out).storeBytes(of: word.littleEndian, as: UInt64.self)
                out[n] = 0x22
                count = out - base + n + 1
                return
            }
        }
        var i = 0
        var copiedFrom = 0  // bytes from here to i were copied as they are
        while true {
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if jsonWordNeedsEscape(word) { break }
                UnsafeMutableRawPointer(out).storeBytes(of: word, as: UInt64.self)
                out += 8
                i += 8
            }
            // A tail shorter than a word (the fast loop ran out, not into an
            // escape): the last 8 bytes, overlapping what was copied already
            // (written again, the same), when clean.
            if i < n && n - 8 < i && n - 8 >= copiedFrom {
                let word = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                if !jsonWordNeedsEscape(word) {
                    UnsafeMutableRawPointer(out - (i - (n - 8))).storeBytes(of: word, as: UInt64.self)
                    out += n - i
                    break
                }
            }
            // At most one word byte by byte: it holds the escape that stopped
            // the fast loop, or it is the tail.
            let stop = min(i + 8, n)
            while i < stop {
                let c = s[i]
                i += 1
                if jsonNeedsEscape(c) {
                    count = out - base
                    appendEscape(c)
                    ensure(n - i + 1)
                    out = base + count
                    copiedFrom = i
                } else {
                    out[0] = c
                    out += 1
                }
            }
            if i >= n { break }
        }
        out[0] = 0x22
        count = out - base + 1
    }

    private mutating func appendEscape(_ c: UInt8) {
        ensure(6)
        base[count] = 0x5C
        switch c {
        case 0x22, 0x5C: base[count + 1] = c; count += 2
        case 0x08: base[count + 1] = 0x62; count += 2  // b
        case 0x0C: base[count + 1] = 0x66; count += 2  // f
        case 0x0A: base[count + 1] = 0x6E; count += 2  // n
        case 0x0D: base[count + 1] = 0x72; count += 2  // r
        case 0x09: base[count + 1] = 0x74; count += 2  // t
        default:  // \u00XX, lowercase hex as string.format('%04x') writes it
            let hex: StaticString = "0123456789abcdef"
            base[count + 1] = 0x75
            base[count + 2] = 0x30
            base[count + 3] = 0x30
            base[count + 4] = hex.utf8Start[Int(c >> 4)]
            base[count + 5] = hex.utf8Start[Int(c & 15)]
            count += 6
        }
    }
}

/// Bytes a JSON string cannot hold as they are: control characters (Lua's
/// `%c`: 0-31 and 127), `"` and `\`.
@inline(__always) func jsonNeedsEscape(_ c: UInt8) -> Bool {
    c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F
}

/// Whether any of the 8 bytes of `word` needs an escape (`jsonNeedsEscape`),
/// without looking at them one by one: the classic "has a zero byte" and
/// "has a byte less than n" tests (exact as yes/no answers).
@inline(__always) func jsonWordNeedsEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func hasZeroByte(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
    let control = (word &- ones &* 0x20) & ~word & highs  // a byte below 0x20
    return (control | hasZeroByte(word ^ (ones &* 0x22)) | hasZeroByte(word ^ (ones &* 0x5C))
            | hasZeroByte(word ^ (ones &* 0x7F))) != 0
}

/// The first `n` bytes at `p` (at most 8) as a little-endian word, zeros
/// after them, read with at most two loads and no byte loop: for n from 4 to
/// 7, the first 4 bytes and the last 4 (overlapping, the same bytes twice).
@inline(__always) func jsonLoadUpTo8(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
    if n >= 8 { return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }
    if n >= 4 {
        let first = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        let last = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
        return first | last << UInt64(8 * (n - 4))
    }
    if n >= 2 {
        let first = UInt64(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
        let last = UInt64(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self)))
        return first | last << UInt64(8 * (n - 2))
    }
    return n == 1 ? UInt64(p.load(as: UInt8.self)) : 0
}

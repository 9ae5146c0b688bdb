import Glibc

/// Numbers as `json.encode` writes them (what the Lua version wrote with
/// `string.format`): integers up to 2^53 as `%d`; others as `%.14g` when that
/// reads back, else `%.17g`.
///
/// The common case needs neither printf nor a read back: for a normal double
/// whose shortest round-trip form (Swift's `description`) has at most 14
/// digits, `%.14g` prints exactly those digits (two 14-digit decimals are
/// further apart than a double's rounding interval), and when it has more,
/// `%.14g` cannot read back. Subnormals, with wider intervals, take printf.
extension JSONOutput {
    mutating func appendNumber(_ x: Double) {
        if x == x.rounded(.down) && abs(x) <= 9007199254740992 {
            appendInteger(Int64(x))
        } else if !x.isNormal || !appendShortest(x) {
            appendPrintf(x)
        }
    }

    /// `%.14g` from the shortest digits; false when they are more than 14.
    private mutating func appendShortest(_ x: Double) -> Bool {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: at most 17 digits
        return withUnsafeMutableBytes(of: &digits) { raw -> Bool in
            let d = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var n = 0                 // significant digits kept in d
            var beforePoint = 0       // digits (zeros included) before the point
            var leadingZeros = 0
            var pointSeen = false
            var exponent = 0
            var exponentSign = 1
            var inExponent = false
            for c in x.magnitude.description.utf8 {
                if inExponent {
                    if c == 0x2D { exponentSign = -1 } else if c != 0x2B { exponent = exponent * 10 + Int(c - 0x30) }
                } else if c == 0x2E {
                    pointSeen = true
                } else if c == 0x65 {
                    inExponent = true
                } else {
                    if !pointSeen { beforePoint += 1 }
                    if n == 0 && c == 0x30 { leadingZeros += 1; continue }
                    guard n < 24 else { return false }
                    d[n] = c
                    n += 1
                }
            }
            while n > 0 && d[n - 1] == 0x30 { n -= 1 }
            guard n > 0 && n <= 14 else { return false }
            // x = d1.d2...dn × 10^scientific
            let scientific = beforePoint + exponentSign * exponent - leadingZeros - 1
            if x < 0 { append(0x2D) }
            if scientific < -4 || scientific >= 14 {
                append(d[0])
                if n > 1 { append(0x2E); append(d + 1, n - 1) }
                append(0x65)
                append(scientific < 0 ? 0x2D : 0x2B)
                let e = abs(scientific)
                if e < 10 { append(0x30) }
                appendInteger(Int64(e))
            } else if scientific >= 0 {
                let whole = scientific + 1
                if n <= whole {
                    append(d, n)
                    for _ in n..<whole { append(0x30) }
                } else {
                    append(d, whole)
                    append(0x2E)
                    append(d + whole, n - whole)
                }
            } else {
                append(0x30)
                append(0x2E)
                for _ in 0..<(-scientific - 1) { append(0x30) }
                append(d, n)
            }
            return true
        }
    }

    /// The Lua version's way, for what the shortcut does not cover.
    private mutating func appendPrintf(_ x: Double) {
        var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))  // 32 bytes: "%.17g" needs at most 24
        withUnsafeMutableBytes(of: &buffer) { raw in
            let chars = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var n = format(x, precision: 14, into: chars, size: raw.count)
            if strtod(chars, nil) != x { n = format(x, precision: 17, into: chars, size: raw.count) }
            append(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), n)
        }
    }

    private func format(_ x: Double, precision: Int32, into chars: UnsafeMutablePointer<CChar>, size: Int) -> Int {
        Int(withVaList([precision, x]) { vsnprintf(chars, size, "%.*g", $0) })
    }

    mutating func appendInteger(_ value: Int64) {
        ensure(21)
        var v = value.magnitude
        if value < 0 { append(0x2D) }
        var digits = 1
        var probe = v
        while probe >= 10 { probe /= 10; digits += 1 }
        var at = count + digits
        count = at
        repeat {
            at -= 1
            base[at] = 0x30 + UInt8(v % 10)
            v /= 10
        } while v > 0
    }
}

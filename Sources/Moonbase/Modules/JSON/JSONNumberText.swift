import Glibc

/// Numbers as `json.encode` writes them (what the Lua version wrote with
/// `string.format`): integers up to 2^53 as `%d`; others as `%.14g` when that
/// reads back, else `%.17g`.
///
/// Few decimals (the common case) take `appendFewDecimals`. The rest mostly
/// needs neither printf nor a read back either: for a normal double whose shortest round-trip form (Swift's `description`) has at most 14
/// digits, `%.14g` prints exactly those digits (two 14-digit decimals are
/// further apart than a double's rounding interval), and when it has more,
/// `%.14g` cannot read back. Subnormals, with wider intervals, take printf.
extension JSONOutput {
    mutating func appendNumber(_ x: Double) {
        if abs(x) <= 9007199254740992 && Double(Int64(x)) == x {  // (no call to floor)
            appendInteger(Int64(x))
        } else if !appendFewDecimals(x) && (!x.isNormal || !appendShortest(x)) {
            appendPrintf(x)
        }
    }

    /// `%.14g` of a number with a few decimals (1.25, 0.1, 19.99: the common
    /// case), found without printing or allocating: the smallest k for which
    /// m = x × 10^k rounds to a whole m below 10^14 such that m / 10^k is x
    /// again (that division is correctly rounded, as strtod is, so m × 10^-k
    /// reads back as x). A decimal of at most 14 digits that reads back is
    /// what `%.14g` prints (see above); the range keeps `%g` off exponents.
    /// False when there is no such m: the caller takes the general way.
    private mutating func appendFewDecimals(_ x: Double) -> Bool {
        let magnitude = x.magnitude
        guard magnitude >= 1e-4 && magnitude < 1e13 else { return false }
        var scale = 1.0  // 10^k, exact up to 10^22
        var k = 0
        while true {
            scale *= 10
            k += 1
            let scaled = magnitude * scale
            guard scaled < 1e14 else { return false }
            let m = Double(UInt64(scaled + 0.5))  // rounded (exact below 2^52), no call to round
            guard m < 1e14 else { return false }
            if m / scale == magnitude {
                appendDecimal(UInt64(m), pointBefore: k, negative: x < 0)
                return true
            }
        }
    }

    /// `value` × 10^-`decimals`, trailing zeros of the fraction dropped,
    /// with a 0 before the point when the value is below 1.
    private mutating func appendDecimal(_ value: UInt64, pointBefore decimals: Int, negative: Bool) {
        var v = value
        var k = decimals
        while k > 0 && v % 10 == 0 { v /= 10; k -= 1 }
        var digits = 1
        var probe = v
        while probe >= 10 { probe /= 10; digits += 1 }
        ensure(digits + k + 4)
        if negative { base[count] = 0x2D; count += 1 }
        if digits <= k {  // 0.00ddd
            base[count] = 0x30
            base[count + 1] = 0x2E
            count += 2
            for _ in 0..<(k - digits) { base[count] = 0x30; count += 1 }
        }
        let length = digits > k && k > 0 ? digits + 1 : digits
        var at = count + length
        var written = 0
        repeat {
            if written == k && k > 0 && digits > k { at -= 1; base[at] = 0x2E }
            at -= 1
            base[at] = 0x30 + UInt8(v % 10)
            v /= 10
            written += 1
        } while v > 0
        count += length
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

@testable import Moonbase
import Glibc
import Testing

/// json.encode's number text against the Lua version's recipe (`%d` up to
/// 2^53, else `%.14g` when it reads back, else `%.17g`) on many doubles of
/// every magnitude, subnormals included.
@Suite struct JSONNumberTextTests {
    private func written(_ x: Double) -> String {
        var output = JSONOutput()
        defer { output.release() }
        output.appendNumber(x)
        return String(decoding: UnsafeBufferPointer(start: output.base, count: output.count), as: UTF8.self)
    }

    private func printf(_ format: String, _ args: [CVarArg]) -> String {
        var chars = [CChar](repeating: 0, count: 64)
        _ = withVaList(args) { vsnprintf(&chars, 64, format, $0) }
        return String(cString: chars)
    }

    private func recipe(_ x: Double) -> String {
        if x == x.rounded(.down) && abs(x) <= 9007199254740992 { return printf("%lld", [Int64(x)]) }
        let short = printf("%.14g", [x])
        return strtod(short, nil) == x ? short : printf("%.17g", [x])
    }

    @Test func matchesPrintfRecipe() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Double] = [0.1, -0.25, 1.0 / 3, 1e300, 5e-324, 2.2250738585072014e-308, 1e-5, 1.5e-5,
                                 123456.789, 1e15 + 0.5, 1e14 + 0.5, 12345678901234.5, 1e16, 1e21, -1e-7,
                                 9007199254740994, 0.30000000000000004, 98.5, 1e100, 1.7976931348623157e308]
        for _ in 0..<20000 { samples.append(Double(bitPattern: generator.next())) }
        // Few decimals (the shortcut without printing): money, scores, the
        // edges of its range (1e-4, 1e13) and of 14 digits.
        for i in -2000...2000 { samples += [Double(i) * 1.25, Double(i) / 100, Double(i) * 0.1, Double(i) / 3] }
        samples += [1e-4, 9.9999999999999e-5, 1.0000000000001e-4, 0.00012, 9999999999999.5, 1e13 - 0.5, 1e13 + 0.5,
                    1234567890123.4, 123456789012.34, 0.12345678901234, 0.123456789012345, 19.99, -0.5, 2.675]
        for _ in 0..<20000 {
            let digits = Double(Int.random(in: 1...99_999_999_999_999))
            samples.append(digits / pow(10, Double(Int.random(in: 1...17))))
        }
        for _ in 0..<20000 {
            let digits = Double(Int.random(in: 1...99999999))
            samples.append(digits * pow(10, Double(Int.random(in: -30...30))))
        }
        for x in samples where x.isFinite {
            #expect(written(x) == recipe(x), "\(x)")
        }
    }
}

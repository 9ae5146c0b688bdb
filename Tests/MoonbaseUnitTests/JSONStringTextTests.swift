@testable import Moonbase
import Testing

/// json.encode's string text (word-at-a-time checks, short strings in one
/// load, overlapping tails) against a byte-by-byte recipe: every length up
/// to 40 with an escape at every position, and random bytes.
@Suite struct JSONStringTextTests {
    private func written(_ bytes: [UInt8]) -> [UInt8] {
        var output = JSONOutput(capacity: 4)  // small: growth on the way is tested too
        defer { output.release() }
        output.append(0x2C)
        bytes.withUnsafeBufferPointer { b in
            output.appendString(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
        }
        return Array(UnsafeBufferPointer(start: output.base, count: output.count))
    }

    private func recipe(_ bytes: [UInt8]) -> [UInt8] {
        var text: [UInt8] = [0x2C, 0x22]
        let hex = Array("0123456789abcdef".utf8)
        for c in bytes {
            switch c {
            case 0x22, 0x5C: text += [0x5C, c]
            case 0x08: text += Array("\\b".utf8)
            case 0x0C: text += Array("\\f".utf8)
            case 0x0A: text += Array("\\n".utf8)
            case 0x0D: text += Array("\\r".utf8)
            case 0x09: text += Array("\\t".utf8)
            case 0..<0x20, 0x7F: text += Array("\\u00".utf8) + [hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: text.append(c)
            }
        }
        return text + [0x22]
    }

    @Test func matchesByteRecipe() {
        for n in 0...40 {
            let plain = (0..<n).map { UInt8(0x61 + $0 % 26) }
            #expect(written(plain) == recipe(plain), "\(plain)")
            for at in 0..<n {
                for special: UInt8 in [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x7F, 0x20, 0x80, 0xFF, 0xC3] {
                    var s = plain
                    s[at] = special
                    #expect(written(s) == recipe(s), "\(s)")
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let s = (0..<Int.random(in: 0...30)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(written(s) == recipe(s), "\(s)")
        }
    }
}

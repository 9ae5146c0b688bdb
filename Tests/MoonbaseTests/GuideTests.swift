import Foundation
import Testing

/// docs/GUIDE.md shows programs that the tests run: each ```lua block whose
/// first line names `docs/GUIDE.md` is the text of an `examples/` file.
struct GuideTests {
    @Test func guideSnippetsAreTheTestedExamples() throws {
        let guide = try String(contentsOfFile: "\(packageRoot)/docs/GUIDE.md", encoding: .utf8)
        let blocks = guide.components(separatedBy: "```lua\n").dropFirst()
            .map { String($0.components(separatedBy: "```")[0]) }
        let examples = try FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/examples")
            .filter { $0.hasPrefix("guide_") && $0.hasSuffix(".lua") }
        #expect(examples.count >= 2)
        for name in examples {
            let text = try String(contentsOfFile: "\(packageRoot)/examples/\(name)", encoding: .utf8)
            #expect(blocks.contains(text), "docs/GUIDE.md does not show examples/\(name) as it is")
        }
    }
}

import Foundation
import Testing

/// Runs every Lua test script under `Tests/lua` and every program under
/// `examples/` with `moonbase` (see `moonbaseBinary`), and compares what it printed.
///
/// For `Tests/lua/NAME.lua` (or `Tests/examples/NAME.out` for `examples/NAME.lua`):
/// - `NAME.out`: the exact expected stdout (required: a `.lua` without it is an error;
///   modules that tests `require` live in `Tests/lua/helpers/`);
/// - `NAME.status`: the expected exit status (default 0);
/// - `NAME.err`: lines that must appear in stderr, in this order; without it
///   stderr must be empty;
/// - a first line `--! args: ...` in the script: options for `moonbase run`.
/// Scripts under `Tests/lua/pending/` show known bugs and are not run here.
/// `scripts/lua-test NAME` makes the same comparison for one script.
struct LuaScriptTests {
    @Test("Lua test script", arguments: ScriptCase.discoverOrEmpty(folder: "Tests/lua"))
    func script(_ c: ScriptCase) throws { try c.check() }

    @Test("example program", arguments: ScriptCase.discoverOrEmpty(folder: "examples", expectations: "Tests/examples"))
    func example(_ c: ScriptCase) throws { try c.check() }

    /// Parameterised tests over an empty list pass silently: this one cannot.
    @Test func testSetIsCompleteAndNotEmpty() throws {
        let scripts = try ScriptCase.discover(folder: "Tests/lua")
        #expect(scripts.count >= 40, "only \(scripts.count) Lua test scripts found")
        let examples = try ScriptCase.discover(folder: "examples", expectations: "Tests/examples")
        #expect(examples.count >= 10, "only \(examples.count) examples found")
    }
}

struct ScriptCase: CustomTestStringConvertible, Sendable {
    let script: String
    let expectationBase: String
    var testDescription: String { String(script.dropFirst(packageRoot.count + 1)) }

    struct MissingExpectation: Error, CustomStringConvertible {
        let script: String
        var description: String { "\(script) has no .out: a test needs one, a helper module belongs in Tests/lua/helpers/" }
    }

    /// Every `.lua` directly in `folder`; throws when one lacks its `.out`.
    static func discover(folder: String, expectations: String? = nil) throws -> [ScriptCase] {
        let dir = "\(packageRoot)/\(folder)"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        return try names.filter { $0.hasSuffix(".lua") }.sorted().map { name in
            let expBase = "\(packageRoot)/\(expectations ?? folder)/\(name.dropLast(4))"
            guard FileManager.default.fileExists(atPath: expBase + ".out") else {
                throw MissingExpectation(script: "\(folder)/\(name)")
            }
            return ScriptCase(script: "\(dir)/\(name)", expectationBase: expBase)
        }
    }

    /// For `arguments:`, which cannot throw: an error gives no cases, and
    /// `testSetIsCompleteAndNotEmpty` reports it.
    static func discoverOrEmpty(folder: String, expectations: String? = nil) -> [ScriptCase] {
        (try? discover(folder: folder, expectations: expectations)) ?? []
    }

    func check() throws {
        let source = try String(contentsOfFile: script, encoding: .utf8)
        var options: [String] = []
        if let first = source.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("--! args:") {
            options = first.dropFirst("--! args:".count).split(separator: " ").map(String.init)
        }
        let timeout = 120.0
        let result = try runMoonbase(["run"] + options + [script], timeout: timeout)
        if result.timedOut {
            Issue.record("timed out after \(Int(timeout)) s; stdout so far:\n\(result.stdout)\nstderr so far:\n\(result.stderr)")
            return
        }
        let expectedOut = try String(contentsOfFile: expectationBase + ".out", encoding: .utf8)
        let expectedStatus = (try? String(contentsOfFile: expectationBase + ".status", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(result.stdout == expectedOut, "stdout differs:\n\(diff(expectedOut, result.stdout))\nstderr:\n\(result.stderr)")
        #expect(result.status == expectedStatus, "exit status \(result.status), expected \(expectedStatus); stderr:\n\(result.stderr)")
        let errLines = (try? String(contentsOfFile: expectationBase + ".err", encoding: .utf8))
            .map { $0.split(separator: "\n").filter { !$0.isEmpty }.map(String.init) }
        if let errLines {
            if let missing = firstMissingInOrder(errLines, in: result.stderr) {
                Issue.record("stderr lacks \"\(missing)\" (after the lines before it in .err):\n\(result.stderr)")
            }
        } else {
            #expect(result.stderr.isEmpty, "stderr must be empty (no .err file):\n\(result.stderr)")
        }
    }
}

/// The first of `lines` not found in `text` after the previous one's match.
func firstMissingInOrder(_ lines: [String], in text: String) -> String? {
    var rest = text[...]
    for line in lines {
        guard let found = rest.range(of: line) else { return line }
        rest = rest[found.upperBound...]
    }
    return nil
}

/// A short line diff for failure messages.
func diff(_ expected: String, _ actual: String) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    for i in 0..<max(e.count, a.count) where (i < e.count ? e[i] : nil) != (i < a.count ? a[i] : nil) {
        out.append("line \(i + 1): expected \(i < e.count ? "\"\(e[i])\"" : "(none)"), got \(i < a.count ? "\"\(a[i])\"" : "(none)")")
        if out.count >= 10 { out.append("..."); break }
    }
    return out.joined(separator: "\n")
}

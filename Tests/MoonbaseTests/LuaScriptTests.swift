import Foundation
import Testing

/// Runs every Lua test script under `Tests/lua` and every program under
/// `examples/` with the built `moonbase`, and compares what it printed.
///
/// For `Tests/lua/NAME.lua` (or `Tests/examples/NAME.lua` for `examples/NAME.lua`):
/// - `NAME.out`: the exact expected stdout (required);
/// - `NAME.status`: the expected exit status (default 0);
/// - `NAME.err`: lines that must each appear somewhere in stderr;
/// - a first line `--! args: ...` in the script: options for `moonbase run`.
struct LuaScriptTests {
    @Test("Lua test script", arguments: ScriptCase.discover(folder: "Tests/lua"))
    func script(_ c: ScriptCase) throws { try c.check() }

    @Test("example program", arguments: ScriptCase.discover(folder: "examples", expectations: "Tests/examples"))
    func example(_ c: ScriptCase) throws { try c.check() }
}

struct ScriptCase: CustomTestStringConvertible, Sendable {
    let script: String
    let expectationBase: String
    var testDescription: String { String(script.dropFirst(packageRoot.count + 1)) }

    static func discover(folder: String, expectations: String? = nil) -> [ScriptCase] {
        let dir = "\(packageRoot)/\(folder)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted().compactMap { name in
            let base = String(name.dropLast(4))
            let expBase = "\(packageRoot)/\(expectations ?? folder)/\(base)"
            // A Lua file without expectations is a helper module, not a test.
            guard FileManager.default.fileExists(atPath: expBase + ".out") else { return nil }
            return ScriptCase(script: "\(dir)/\(name)", expectationBase: expBase)
        }
    }

    func check() throws {
        let source = try String(contentsOfFile: script, encoding: .utf8)
        var options: [String] = []
        if let first = source.split(separator: "\n", maxSplits: 1).first, first.hasPrefix("--! args:") {
            options = first.dropFirst("--! args:".count).split(separator: " ").map(String.init)
        }
        let result = try runMoonbase(["run"] + options + [script], timeout: 120)
        let expectedOut = try String(contentsOfFile: expectationBase + ".out", encoding: .utf8)
        let expectedStatus = (try? String(contentsOfFile: expectationBase + ".status", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(result.stdout == expectedOut, "stdout differs:\n\(diff(expectedOut, result.stdout))\nstderr:\n\(result.stderr)")
        #expect(result.status == expectedStatus, "exit status \(result.status), expected \(expectedStatus); stderr:\n\(result.stderr)")
        if let errLines = try? String(contentsOfFile: expectationBase + ".err", encoding: .utf8) {
            for line in errLines.split(separator: "\n") where !line.isEmpty {
                #expect(result.stderr.contains(line), "stderr lacks \"\(line)\":\n\(result.stderr)")
            }
        }
    }
}

/// The root of the package (this file is Tests/MoonbaseTests/LuaScriptTests.swift).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The `moonbase` built beside this test bundle.
let moonbaseBinary: String = {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // Inside an .xctest bundle directory the binary sits one level deeper.
    if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
    return dir.appendingPathComponent("moonbase").path
}()

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `moonbase` with `arguments`, killing it after `timeout` seconds.
func runMoonbase(_ arguments: [String], timeout: Double, environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: moonbaseBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
    var env = ProcessInfo.processInfo.environment
    env["MOONBASE_ACTORS"] = "\(packageRoot)/actors"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the process runs so a full pipe cannot block it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    DispatchQueue.global().async(group: group) { outData = outPipe.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
    let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    process.waitUntilExit()
    killer.cancel()
    group.wait()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
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

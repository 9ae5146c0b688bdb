import Foundation
import Testing

/// Issue 12 item 6: `examples/static_files.lua` streaming a file that shrinks
/// mid-stream aborts the connection; `Tests/static/shrink_client.py` (python3's
/// http.client) must see the body cut short, never a complete-looking
/// response (the example before e580b20 sent the last chunk: exit 1).
struct StaticFilesShrinkTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func aFileCutWhileStreamedGivesTheClientAnError() throws {
        let root = NSTemporaryDirectory() + "moonbase-shrink-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: moonbaseBinary)
        server.arguments = ["run", "examples/static_files.lua", "serve", root, "0"]
        server.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        server.environment = cleanEnvironment()
        let outPipe = Pipe(), errPipe = Pipe()
        server.standardOutput = outPipe
        server.standardError = errPipe
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }
        // "serving ROOT on http://127.0.0.1:PORT/"
        let line = String(decoding: outPipe.fileHandleForReading.availableData, as: UTF8.self)
        let port = line.split(separator: ":").last.map { $0.filter(\.isNumber) } ?? ""
        #expect(!port.isEmpty, "no port in: \(line)")
        guard !port.isEmpty else { return }
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        client.arguments = ["60", "python3", "Tests/static/shrink_client.py", port, root]
        client.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let clientOut = Pipe()
        client.standardOutput = clientOut
        client.standardError = clientOut
        try client.run()
        let out = String(decoding: clientOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "client: \(out)")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(err.contains("shrank while sent"), "server stderr: \(err)")
    }
}

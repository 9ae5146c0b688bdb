import Foundation
import Testing

/// Issue 12 item 3: a connection that stalls costs at most 64 KiB beyond the
/// request body it is allowed. `Tests/memory/stalled_client.py` (python3)
/// opens 200 connections to `Tests/memory/stalled_server.lua` that never read
/// their responses (pipelined) or stall a chunked upload in 1-byte chunks,
/// and measures the server's resident memory per connection (old code:
/// about 2.2 MB and 2.5 MB).
@Suite(.serialized)
struct ConnectionMemoryTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")),
          arguments: ["pipelined", "chunked"])
    func stalledConnectionsStayWithinTheBound(mode: String) throws {
        let portFile = NSTemporaryDirectory() + "moonbase-mem-\(getpid())-\(mode).port"
        try? FileManager.default.removeItem(atPath: portFile)
        defer { try? FileManager.default.removeItem(atPath: portFile) }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: moonbaseBinary)
        server.arguments = ["run", "Tests/memory/stalled_server.lua", portFile]
        server.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        server.environment = cleanEnvironment()
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            port = (try? String(contentsOfFile: portFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        #expect(!port.isEmpty, "the server wrote no port")
        guard !port.isEmpty else { return }
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        client.arguments = ["150", "python3", "Tests/memory/stalled_client.py", port, "\(server.processIdentifier)", mode]
        client.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let outPipe = Pipe()
        client.standardOutput = outPipe
        client.standardError = outPipe
        try client.run()
        let out = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "client: \(out)")
    }
}

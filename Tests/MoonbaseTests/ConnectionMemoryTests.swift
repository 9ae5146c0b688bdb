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
        let port = waitForPort(file: portFile)
        #expect(!port.isEmpty, "the server wrote no port")
        guard !port.isEmpty else { return }
        let (status, out) = try runPythonClient("Tests/memory/stalled_client.py", [port, "\(server.processIdentifier)", mode], timeout: 150)
        #expect(status == 0, "client: \(out)")
    }
}

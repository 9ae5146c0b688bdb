import Foundation
import Testing

/// Issue 12 item 1: a two-worker server out of file descriptors must pause
/// accepting without spinning and answer again once descriptors are free.
/// The server runs under `ulimit -n 64`; `Tests/fd/fd_exhaustion_client.py`
/// (python3) holds 1000 connections, samples the server's CPU, lets go and
/// needs 20 answers within 10 s.
struct FDExhaustionTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func listenersPauseAndRecover() throws {
        let portFile = NSTemporaryDirectory() + "moonbase-fd-\(getpid()).port"
        try? FileManager.default.removeItem(atPath: portFile)
        defer { try? FileManager.default.removeItem(atPath: portFile) }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        server.arguments = ["-c", "ulimit -n 64; exec \"$0\" run --threads 2 Tests/fd/fd_exhaustion.lua \"$1\"",
                            moonbaseBinary, portFile]
        server.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        server.environment = cleanEnvironment()
        server.standardOutput = FileHandle.nullDevice
        let errPipe = Pipe()
        server.standardError = errPipe
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let port = waitForPort(file: portFile)
        #expect(!port.isEmpty, "the server wrote no port")
        guard !port.isEmpty else { return }
        let (status, out) = try runPythonClient("Tests/fd/fd_exhaustion_client.py", [port, "\(server.processIdentifier)"], timeout: 60)
        #expect(status == 0, "client: \(out)")
        // The listener's own pause ran (not libuv's silent shedding): it logged.
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(err.contains("accepting paused until one is free"), "server stderr: \(err)")
    }
}

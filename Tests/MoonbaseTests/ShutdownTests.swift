import Foundation
import Testing

/// Signals, graceful shutdown and output that never blocks, seen from outside
/// the process with real clients. Everything on loopback or a Unix socket,
/// bounded in time.
struct ShutdownTests {
    /// A running `moonbase run` whose stdout is read line by line.
    final class Server: @unchecked Sendable {
        let process = Process()
        private let out = Pipe()
        private let lock = NSLock()
        private var text = ""
        let stderr = Pipe()

        init(_ arguments: [String], stderrUnread: Bool = false) throws {
            process.executableURL = URL(fileURLWithPath: moonbaseBinary)
            process.arguments = ["run"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
            process.environment = cleanEnvironment()
            process.standardOutput = out
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            out.fileHandleForReading.readabilityHandler = { [weak self] h in
                let data = h.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.lock(); self.text += String(decoding: data, as: UTF8.self); self.lock.unlock()
            }
            if !stderrUnread {
                stderr.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
            }
            try process.run()
        }

        var stdout: String { lock.lock(); defer { lock.unlock() }; return text }

        /// Waits until stdout contains `line`, at most `seconds`.
        func waitFor(_ line: String, seconds: Double) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if stdout.contains(line) { return true }
                usleep(20_000)
            }
            return stdout.contains(line)
        }

        /// Waits for the exit, at most `seconds` (then kills): the status, or nil.
        func exitStatus(within seconds: Double) -> Int32? {
            let end = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < end { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit(); return nil }
            return process.terminationStatus
        }
    }

    /// Runs `curl` with `arguments` in the background; its stdout when it ends.
    func curl(_ arguments: [String]) throws -> (Process, Pipe) {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "10"] + arguments
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, out)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func slowRequestFinishesAndProcessExitsZero() throws {
        let socketPath = NSTemporaryDirectory() + "moonbase-shutdown-\(getpid()).sock"
        let server = try Server(["Tests/lua/helpers/slow_server.lua", socketPath])
        #expect(server.waitFor("serving", seconds: 20), "no 'serving' on stdout (flushed while idle)")
        let (slow, slowOut) = try curl(["--unix-socket", socketPath, "http://x/slow"])
        usleep(300_000)  // the request is in its handler's sleep
        kill(server.process.processIdentifier, SIGTERM)
        slow.waitUntilExit()
        let body = String(decoding: slowOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(body == "done /slow", "the in-flight request must complete")
        #expect(server.exitStatus(within: 10) == 0)
        #expect(server.stdout.contains("actor sees: interrupted"))
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the Unix socket file must be removed")
    }

    @Test func secondSignalExitsAtOnceAndGracePeriodEnds() throws {
        let twice = try Server(["Tests/lua/helpers/stubborn.lua"])
        #expect(twice.waitFor("running", seconds: 20))
        kill(twice.process.processIdentifier, SIGTERM)
        usleep(200_000)
        kill(twice.process.processIdentifier, SIGTERM)
        #expect(twice.exitStatus(within: 5) == 143)

        let late = try Server(["--shutdown-timeout", "0.5", "Tests/lua/helpers/stubborn.lua"])
        #expect(late.waitFor("running", seconds: 20))
        kill(late.process.processIdentifier, SIGTERM)
        #expect(late.exitStatus(within: 5) == 1)
    }

    @Test func sigquitEndsWithoutCrashReport() throws {
        let server = try Server(["Tests/lua/helpers/stubborn.lua"], stderrUnread: true)
        #expect(server.waitFor("running", seconds: 20))
        kill(server.process.processIdentifier, SIGQUIT)
        _ = server.exitStatus(within: 5)
        #expect(server.process.terminationReason == .uncaughtSignal)
        let err = String(decoding: server.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!err.contains("Program crashed"))
    }

    @Test func stdoutReachesAPipeBeforeExit() throws {
        let server = try Server(["Tests/lua/helpers/print_then_wait.lua"])
        #expect(server.waitFor("early line", seconds: 3), "print must reach the pipe while the loop idles")
        #expect(!server.stdout.contains("late line"))
        #expect(server.exitStatus(within: 20) == 0)
    }

    @Test func unreadStderrNeverStopsTheLoop() throws {
        // 5000 reports of ~220 bytes: far more than a pipe holds (64 KiB).
        let server = try Server(["Tests/lua/helpers/error_flood.lua"], stderrUnread: true)
        #expect(server.waitFor("flood done", seconds: 20), "a full stderr pipe blocked the loop")
        #expect(server.exitStatus(within: 10) == 0)
    }
}

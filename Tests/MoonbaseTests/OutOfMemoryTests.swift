import Foundation
import Testing

/// Out of memory outside Lua: `spawn_vm` raises "not enough memory" in its
/// caller (before: a fatalError, exit 132) and the process goes on; so do the
/// copies Swift makes of big values (before: an abort, exit 134).
struct OutOfMemoryTests {
    @Test func spawnVMRaisesUnderAnAddressSpaceLimit() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 1500000 && exec timeout 120 \"$0\" run --threads 1 Tests/lua/helpers/spawn_until_oom.lua",
                             moonbaseBinary]
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        process.environment = cleanEnvironment()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: outData, as: UTF8.self)
        #expect(stdout == "spawned more than 100:\ttrue\nerror:\tspawn_vm: not enough memory\nstill alive\n",
                "stderr: \(String(decoding: errData, as: UTF8.self).prefix(2000))")
        #expect(process.terminationStatus == 0)
    }

    @Test func bigCopiesFailCleanlyUnderAnAddressSpaceLimit() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("moonbase-oom-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 1000000 && exec timeout 120 \"$0\" run --threads 1 Tests/lua/helpers/copies_until_oom.lua \"$1\"",
                             moonbaseBinary, scratch.path]
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        process.environment = cleanEnvironment()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: outData, as: UTF8.self)
        #expect(stdout == """
            filled:\ttrue
            send:\tfalse\taddress:send: not enough memory
            http big:\t200
            socket.write:\tnil\ttimeout
            fs.write:\tnil\tnot enough memory
            fs.read:\tnil\tnot enough memory
            http small:\t200
            send small:\ttrue
            still alive

            """, "stderr: \(String(decoding: errData, as: UTF8.self).prefix(2000))")
        #expect(process.terminationStatus == 0)
    }
}

import Foundation
import Testing

/// `make install` (scripts/install) into a temporary PREFIX: the installed
/// binary finds its `actors/` relative to itself, with no MOONBASE_ACTORS.
struct InstallTests {
    @Test func installedBinaryFindsItsActors() throws {
        let prefix = NSTemporaryDirectory() + "moonbase-install-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "\(packageRoot)/scripts/install")
        install.arguments = [prefix, moonbaseBinary]
        install.standardOutput = FileHandle.nullDevice
        try install.run()
        install.waitUntilExit()
        #expect(install.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/moonbase/types/time.lua"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/moonbase/types/luacheckrc"))

        let run = Process()
        run.executableURL = URL(fileURLWithPath: "\(prefix)/bin/moonbase")
        run.arguments = ["-e", "print(package.searchpath('mysql_pool', package.path))"]
        run.environment = ["PATH": "/usr/bin:/bin"]  // no MOONBASE_ACTORS
        run.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        let out = Pipe()
        run.standardOutput = out
        try run.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
        let actors = URL(fileURLWithPath: "\(prefix)/share/moonbase/actors").resolvingSymlinksInPath().path
        #expect(text == "\(actors)/mysql_pool.lua\n")
    }
}

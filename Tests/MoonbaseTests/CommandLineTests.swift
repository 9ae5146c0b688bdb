import Testing

/// The `moonbase` command line: exit statuses and one-line errors.
struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let version = try runMoonbase(["--version"], timeout: 30)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("0."))
        let help = try runMoonbase(["run", "--help"], timeout: 30)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--threads"))
    }

    @Test func usageErrorsExitWithStatus2() throws {
        let noScript = try runMoonbase(["run"], timeout: 30)
        #expect(noScript.status == 2)
        #expect(noScript.stderr.contains("Missing expected argument"))
        let badThreads = try runMoonbase(["run", "--threads", "0", "x.lua"], timeout: 30)
        #expect(badThreads.status == 2)
        #expect(badThreads.stderr.contains("--threads must be between 1 and 1024"))
        let unknown = try runMoonbase(["frobnicate"], timeout: 30)
        #expect(unknown.status == 2)
    }

    @Test func missingScriptIsOneLine() throws {
        let r = try runMoonbase(["run", "/nonexistent/app.lua"], timeout: 30)
        #expect(r.status == 1)
        #expect(r.stderr == "moonbase: cannot open /nonexistent/app.lua: No such file or directory\n")
    }
}

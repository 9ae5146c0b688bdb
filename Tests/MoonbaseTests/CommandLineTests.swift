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

    @Test func inboxCapacityIsValidated() throws {
        let script = "Tests/lua/helpers/print_args.lua"
        let negative = try runMoonbase(["run", "--inbox-capacity=-1", script], timeout: 30)
        #expect(negative.status == 2)
        #expect(negative.stderr.contains("--inbox-capacity must be >= 0"))
        #expect(negative.stdout.isEmpty)
        // "-1" after the option reads as another option: a missing value, still a usage error
        let dashed = try runMoonbase(["run", "--inbox-capacity", "-1", script], timeout: 30)
        #expect(dashed.status == 2)
        let notNumber = try runMoonbase(["run", "--inbox-capacity", "x", script], timeout: 30)
        #expect(notNumber.status == 2)
        #expect(notNumber.stderr.contains("'x' is invalid"))
        let zero = try runMoonbase(["run", "--inbox-capacity", "0", script], timeout: 30)
        #expect(zero.status == 0)
        let tooManyThreads = try runMoonbase(["run", "--threads", "1025", script], timeout: 30)
        #expect(tooManyThreads.status == 2)
        #expect(tooManyThreads.stderr.contains("--threads must be between 1 and 1024"))
    }

    /// Everything after the script is the script's: `arg[1...]` and `...`,
    /// options of moonbase's own and empty strings included.
    @Test func scriptArguments() throws {
        let r = try runMoonbase(["run", "Tests/lua/helpers/print_args.lua", "one", "two words", "--threads", "3", "-x", ""],
                                timeout: 30)
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout == """
            arg[0] print_args.lua\t#arg 6\t#... 6
            1\tone\tone
            2\ttwo words\ttwo words
            3\t--threads\t--threads
            4\t3\t3
            5\t-x\t-x
            6\t\t

            """)
    }
}

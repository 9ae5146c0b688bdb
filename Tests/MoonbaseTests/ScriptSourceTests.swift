import Testing

/// `moonbase -e CODE` and `moonbase run -` (the script on stdin).
struct ScriptSourceTests {
    @Test func executeCode() throws {
        let r = try runMoonbase(["-e", "print('hi', _CONTEXT, select('#', ...))"], timeout: 30)
        #expect(r.status == 0)
        #expect(r.stdout == "hi\tmain\t0\n")
        #expect(r.stderr.isEmpty)
        let bad = try runMoonbase(["-e", "x("], timeout: 30)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("(command line):1:"))
    }

    @Test func scriptOnStdin() throws {
        let r = try runMoonbase(["run", "--threads", "1", "-", "a", "b"], timeout: 30,
                                stdin: "print('stdin', ...)\nprint(require('moonbase').workers())\n")
        #expect(r.status == 0)
        #expect(r.stdout == "stdin\ta\tb\n1\n")
        let failing = try runMoonbase(["run", "-"], timeout: 30, stdin: "error('boom')\n")
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("stdin:1: boom"))
    }

    @Test func noArgumentsPrintsHelp() throws {
        let r = try runMoonbase([], timeout: 30)
        #expect(r.status == 0)
        #expect(r.stdout.contains("-e <code>"))
    }
}

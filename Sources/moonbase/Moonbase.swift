import ArgumentParser
import Moonbase
#if canImport(Glibc)
import Glibc
#endif

struct MoonbaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moonbase",
        abstract: "Runs Lua programs on every core: fibers, actors, sockets, files, MySQL.",
        version: Moonbase.version,
        subcommands: [Run.self]
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE as the main actor (as `lua -e`).", valueName: "code"))
    var execute: String?

    /// `-e` runs with the default options (`moonbase run [options] -` takes a
    /// script on stdin with options): options of the same names here and on
    /// `run` would clash in the parser.
    func run() throws {
        guard let execute else { throw CleanExit.helpRequest(self) }
        let runtime = Runtime(options: .init(), scriptPath: "(command line)")
        let status = runtime.run(source: execute, chunkName: "=(command line)", arguments: [])
        if status != 0 { throw ExitCode(status) }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script as the main actor.")

    @OptionGroup var options: RuntimeOptions

    @Argument(help: "The Lua script to run ('-': read it from stdin).")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script as `arg`.")
    var arguments: [String] = []

    func run() throws {
        if script == "-" {
            let runtime = Runtime(options: options.runtimeOptions, scriptPath: "-")
            let status = runtime.run(source: readStandardInput(), chunkName: "=stdin", arguments: arguments)
            if status != 0 { throw ExitCode(status) }
            return
        }
        // A missing or unreadable script is one line, before any thread starts.
        guard let f = fopen(script, "r") else {
            let reason = String(cString: strerror(errno))
            Runtime.writeError("moonbase: cannot open \(script): \(reason)\n")
            throw ExitCode(1)
        }
        fclose(f)
        let runtime = Runtime(options: options.runtimeOptions, scriptPath: script)
        let status = runtime.run(scriptPath: script, arguments: arguments)
        if status != 0 { throw ExitCode(status) }
    }
}

@main
enum Main {
    static func main() {
        do {
            var command = try MoonbaseCommand.parseAsRoot()
            try command.run()
            Runtime.flushOutput()
            exit(0)
        } catch {
            let code = MoonbaseCommand.exitCode(for: error)
            if code == .success {
                MoonbaseCommand.exit(withError: error)
            }
            if error is ExitCode {
                Runtime.flushOutput()
                exit(code.rawValue)
            }
            // Usage errors: ArgumentParser's message, then status 2.
            Runtime.writeError(MoonbaseCommand.fullMessage(for: error) + "\n")
            Runtime.flushOutput()
            exit(2)
        }
    }
}

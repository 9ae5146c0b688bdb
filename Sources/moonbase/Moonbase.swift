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
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script as the main actor.")

    @Option(help: "Number of worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "Default inbox capacity of every actor (0: rendezvous).")
    var inboxCapacity: Int = 64

    @Option(help: "Seconds a graceful shutdown (first SIGTERM/SIGINT) may take before the process exits anyway.")
    var shutdownTimeout: Double = 10

    @Argument(help: "The Lua script to run.")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script as `arg`.")
    var arguments: [String] = []

    func validate() throws {
        if let threads, threads < 1 || threads > 1024 {
            throw ValidationError("--threads must be between 1 and 1024")
        }
        if inboxCapacity < 0 { throw ValidationError("--inbox-capacity must be >= 0") }
        if !(shutdownTimeout >= 0 && shutdownTimeout <= 86400) {
            throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds")
        }
    }

    func run() throws {
        // A missing or unreadable script is one line, before any thread starts.
        guard let f = fopen(script, "r") else {
            let reason = String(cString: strerror(errno))
            Runtime.writeError("moonbase: cannot open \(script): \(reason)\n")
            throw ExitCode(1)
        }
        fclose(f)
        let runtime = Runtime(options: .init(threads: threads, inboxCapacity: inboxCapacity,
                                                     shutdownTimeout: shutdownTimeout),
                              scriptPath: script)
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

import ArgumentParser
import Moonbase

/// The runtime's options, shared by `moonbase run` and `moonbase -e`.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Number of worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "Default inbox capacity of every actor (0: rendezvous).")
    var inboxCapacity: Int = 64

    @Option(help: "Seconds a graceful shutdown (first SIGTERM/SIGINT) may take before the process exits anyway.")
    var shutdownTimeout: Double = 10

    func validate() throws {
        if let threads, threads < 1 || threads > 1024 {
            throw ValidationError("--threads must be between 1 and 1024")
        }
        if inboxCapacity < 0 { throw ValidationError("--inbox-capacity must be >= 0") }
        if !(shutdownTimeout >= 0 && shutdownTimeout <= 86400) {
            throw ValidationError("--shutdown-timeout must be between 0 and 86400 seconds")
        }
    }

    var runtimeOptions: Runtime.Options {
        .init(threads: threads, inboxCapacity: inboxCapacity, shutdownTimeout: shutdownTimeout)
    }
}

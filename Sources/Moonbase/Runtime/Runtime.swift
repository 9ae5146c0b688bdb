import CLuaJIT
import CMoonbaseShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide owner of the workers and the VMs on them.
public final class Runtime: @unchecked Sendable {
    public struct Options: Sendable {
        public var threads: Int
        public var inboxCapacity: Int
        /// Seconds a graceful shutdown may take (docs/API.md, "Shutdown").
        public var shutdownTimeout: Double
        public init(threads: Int? = nil, inboxCapacity: Int = 64, shutdownTimeout: Double = 10) {
            self.threads = max(1, threads ?? Runtime.coreCount)
            self.inboxCapacity = inboxCapacity
            self.shutdownTimeout = shutdownTimeout
        }
    }

    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    public let options: Options
    private(set) var workers: [Worker] = []
    /// Folder of the main script: first on `package.path`.
    let scriptDirectory: String
    /// The main script (`spawn_vm('.')` runs it again).
    let scriptPath: String
    /// The shipped `actors/` folder, if found.
    let actorsDirectory: String?
    /// The main script's text when it is no file (`moonbase -e`, `run -`):
    /// loaded instead of `scriptPath`, as chunk `mainChunkName`.
    private var mainSource: String?
    private var mainChunkName = ""
    private let liveVMs = Atomic<Int>(0)
    private let nextVMID = Atomic<Int>(1)
    private let status = Atomic<Int32>(0)
    /// The signal that started a graceful shutdown (0: none yet).
    let shutdownSignal = Atomic<Int32>(0)
    /// Signal watchers and waiters (`signal` module, shutdown).
    private(set) var signalHub: SignalHub!
    /// Worker 0's grace-period timer, once shutting down.
    var graceTimer: GraceTimer?

    /// What `require` can load besides Lua's own (`Modules/ModuleList.swift`).
    let modules: [LuaModule]

    init(options: Options, scriptPath: String, modules: [LuaModule]) {
        self.options = options
        self.scriptPath = scriptPath
        self.modules = modules
        scriptDirectory = Runtime.directory(of: scriptPath)
        actorsDirectory = Runtime.findActorsDirectory()
        workers = (0..<options.threads).map { Worker(index: $0, runtime: self) }
        signalHub = SignalHub(runtime: self)
    }

    /// Runs `scriptPath` as the main actor until every actor has ended, and
    /// returns the process exit status (1 if the main fiber failed).
    public func run(scriptPath: String, arguments: [String]) -> Int32 {
        // Once per process: a write to a closed peer must be EPIPE, not death.
        signal(SIGPIPE, SIG_IGN)
        // SIGQUIT quits as the system's default does (Swift's crash handler
        // would print "Program crashed" and keep the process serving).
        signal(SIGQUIT, SIG_DFL)
        liveVMs.store(1, ordering: .sequentiallyConsistent)
        workers[0].post { worker in
            worker.runtime.signalHub.start(on: worker.loop)
            worker.runtime.startVM(on: worker, context: "main", path: scriptPath, arguments: arguments)
        }
        for worker in workers { worker.start() }
        for worker in workers { worker.join() }
        Runtime.flushOutput()
        return status.load(ordering: .sequentiallyConsistent)
    }

    /// `run(scriptPath:arguments:)` for a script given as text (`-e`, stdin):
    /// `chunkName` names it in errors (`=stdin`); `spawn_vm('.')` runs it again.
    public func run(source: String, chunkName: String, arguments: [String]) -> Int32 {
        mainSource = source
        mainChunkName = chunkName
        return run(scriptPath: scriptPath, arguments: arguments)
    }

    /// Loads the chunk at `path` (the main script's text when given as text).
    private func load(_ L: OpaquePointer, path: String) -> Int32 {
        guard path == scriptPath, let source = mainSource else { return luaL_loadfile(L, path) }
        return source.withCString { luaL_loadbuffer(L, $0, strlen($0), mainChunkName) }
    }

    /// Counts a VM that is about to start elsewhere (`spawn_vm`; any thread).
    func vmStarting() { liveVMs.wrappingAdd(1, ordering: .sequentiallyConsistent) }

    /// Creates a VM on `worker` (its own thread) and runs the Lua file at
    /// `path` as its main fiber. The main VM (`arguments` given) sets `arg` as
    /// the stand-alone interpreter does, and its failure fails the process.
    func startVM(on worker: Worker, context: String, attachment: VMAttachment? = nil,
                 path: String, arguments: [String]? = nil, state: OpaquePointer? = nil) {
        worker.assertConfined("Runtime.startVM")
        let id = nextVMID.wrappingAdd(1, ordering: .relaxed).oldValue
        let vm = VM(id: id, worker: worker, runtime: self, context: context, attachment: attachment, state: state)
        worker.vms[id] = vm
        let isMain = arguments != nil
        var lunetExitCode: Int32?
        if isMain { vm.beforeClose = { vm in lunetExitCode = Runtime.lunetExitCode(vm.L) } }
        vm.onEnd = { vm, failed, _ in
            if let lunetExitCode {
                vm.runtime.status.store(lunetExitCode, ordering: .sequentiallyConsistent)
            } else if failed && isMain {
                vm.runtime.status.store(1, ordering: .sequentiallyConsistent)
            }
            vm.runtime.vmEnded()
        }
        let lua = LuaState(vm.L)
        if let arguments, vm.startFailure == nil {
            lua_createtable(vm.L, Int32(arguments.count), 2)
            lua.push("moonbase"); lua_rawseti(vm.L, -2, -1)
            lua.push(path); lua_rawseti(vm.L, -2, 0)
            for (i, a) in arguments.enumerated() { lua.push(a); lua_rawseti(vm.L, -2, Int32(i + 1)) }
            mb_setglobal(vm.L, "arg")
        }
        let failure = vm.startFailure
        guard failure == nil, load(vm.L, path: path) == 0 else {
            let message = failure ?? lua.toString(-1) ?? "cannot load \(path)"
            if failure == nil { lua.pop() }
            if isMain {
                writeError("moonbase: \(message)\n")
                status.store(1, ordering: .sequentiallyConsistent)
                vm.end()
            } else {
                writeError("moonbase: actor failed to start: \(message)\n")
                vm.end(reason: message)
            }
            return
        }
        for a in arguments ?? [] { lua.push(a) }
        vm.startMain(nargs: Int32(arguments?.count ?? 0))
        if isShuttingDown { vm.beginShutdown() }  // started while shutting down
    }

    /// Lunet: a number left in the main VM's `_G.__lunet_exit_code` is the
    /// exit status (read raw: no metamethod may run, or raise, here).
    static func lunetExitCode(_ L: OpaquePointer) -> Int32? {
        lua_pushstring(L, "__lunet_exit_code")
        lua_rawget(L, LUA_GLOBALSINDEX)
        defer { mb_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TNUMBER else { return nil }
        return Int32(truncatingIfNeeded: Int(lua_tonumber(L, -1)) & 0xff)
    }

    private func vmEnded() {
        if liveVMs.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
            for worker in workers { worker.requestStop() }
        }
    }

    /// Writes to stderr in one call, so reports from several threads do not interleave.
    func writeError(_ text: String) { Runtime.writeError(text) }

    /// Queues `text` for stderr (`ErrorLog`): never blocks the caller's loop.
    public static func writeError(_ text: String) { ErrorLog.shared.write(text) }

    /// Before the process exits: stdout flushed, queued reports written
    /// (waiting at most a second for a stderr nobody reads).
    public static func flushOutput() {
        mb_flush_stdout()
        ErrorLog.flushAll(within: 1)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `$MOONBASE_ACTORS`, else `actors/` beside the executable, else an
    /// installed `PREFIX/share/moonbase/actors` (`make install`), else
    /// `actors/` above it (`.build/<config>/moonbase` in a checkout). The
    /// install comes before the checkout guesses: `PREFIX/bin/../../actors`
    /// is outside the install.
    static func findActorsDirectory() -> String? {
        if let env = getenv("MOONBASE_ACTORS") { return String(cString: env) }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let exeDir = directory(of: String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        for candidate in ["\(exeDir)/actors", "\(exeDir)/../share/moonbase/actors",
                          "\(exeDir)/../../actors", "\(exeDir)/../../../actors"] {
            var st = stat()
            if stat(candidate, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                return realpath(candidate, nil).map { p in defer { free(p) }; return String(cString: p) }
            }
        }
        return nil
    }
}

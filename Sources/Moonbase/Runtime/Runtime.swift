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
        public init(threads: Int? = nil, inboxCapacity: Int = 64) {
            self.threads = max(1, threads ?? Runtime.coreCount)
            self.inboxCapacity = inboxCapacity
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
    private let liveVMs = Atomic<Int>(0)
    private let nextVMID = Atomic<Int>(1)
    private let status = Atomic<Int32>(0)

    public init(options: Options, scriptPath: String) {
        self.options = options
        self.scriptPath = scriptPath
        scriptDirectory = Runtime.directory(of: scriptPath)
        actorsDirectory = Runtime.findActorsDirectory()
        workers = (0..<options.threads).map { Worker(index: $0, runtime: self) }
    }

    /// Runs `scriptPath` as the main actor until every actor has ended, and
    /// returns the process exit status (1 if the main fiber failed).
    public func run(scriptPath: String, arguments: [String]) -> Int32 {
        liveVMs.store(1, ordering: .sequentiallyConsistent)
        workers[0].post { worker in
            worker.runtime.startMainVM(on: worker, scriptPath: scriptPath, arguments: arguments)
        }
        for worker in workers { worker.start() }
        for worker in workers { worker.join() }
        fflush(nil)
        return status.load(ordering: .sequentiallyConsistent)
    }

    private func startMainVM(on worker: Worker, scriptPath: String, arguments: [String]) {
        let vm = makeVM(on: worker, context: "main",
                        mailbox: Mailbox(worker: worker, capacity: options.inboxCapacity, shared: false))
        vm.onEnd = { vm, failed, _ in
            if failed { vm.runtime.status.store(1, ordering: .sequentiallyConsistent) }
            vm.runtime.vmEnded()
        }
        let lua = LuaState(vm.L)
        // arg, as the stand-alone interpreter sets it.
        lua_createtable(vm.L, Int32(arguments.count), 2)
        lua.push("moonbase"); lua_rawseti(vm.L, -2, -1)
        lua.push(scriptPath); lua_rawseti(vm.L, -2, 0)
        for (i, a) in arguments.enumerated() { lua.push(a); lua_rawseti(vm.L, -2, Int32(i + 1)) }
        mb_setglobal(vm.L, "arg")
        guard luaL_loadfile(vm.L, scriptPath) == 0 else {
            writeError("moonbase: \(lua.toString(-1) ?? "cannot load \(scriptPath)")\n")
            lua.pop()
            status.store(1, ordering: .sequentiallyConsistent)
            vm.end()
            return
        }
        for a in arguments { lua.push(a) }
        vm.startMain(nargs: Int32(arguments.count))
    }

    /// Counts an actor that `spawn_vm` is about to start (any thread).
    func actorStarting() { liveVMs.wrappingAdd(1, ordering: .sequentiallyConsistent) }

    /// Creates a spawned actor's VM on its worker and runs its module.
    func startActor(on worker: Worker, _ start: ActorStart) {
        let vm = makeVM(on: worker, context: "worker", mailbox: start.mailbox)
        vm.onEnd = { vm, _, _ in vm.runtime.vmEnded() }
        guard luaL_loadfile(vm.L, start.path) == 0 else {
            let message = LuaState(vm.L).toString(-1) ?? "cannot load \(start.path)"
            writeError("moonbase: actor failed to start: \(message)\n")
            vm.end(reason: message)
            return
        }
        vm.startMain(nargs: 0)
    }

    func makeVM(on worker: Worker, context: String, mailbox: Mailbox) -> VM {
        let id = nextVMID.wrappingAdd(1, ordering: .relaxed).oldValue
        let vm = VM(id: id, worker: worker, runtime: self, context: context, mailbox: mailbox)
        worker.vms[id] = vm
        return vm
    }

    private func vmEnded() {
        if liveVMs.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
            for worker in workers { worker.requestStop() }
        }
    }

    /// Writes to stderr in one call, so reports from several threads do not interleave.
    func writeError(_ text: String) { Runtime.writeError(text) }

    /// Writes to stderr with write(2) in one call per chunk (no stdio buffer).
    public static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buf in
            var rest = UnsafeRawBufferPointer(buf)
            while !rest.isEmpty {
                let n = write(2, rest.baseAddress, rest.count)
                if n < 0 { if errno == EINTR { continue } else { return } }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            }
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `$MOONBASE_ACTORS`, else `actors/` beside or above the executable
    /// (`.build/<config>/moonbase` in a checkout), else `../share/moonbase/actors`.
    static func findActorsDirectory() -> String? {
        if let env = getenv("MOONBASE_ACTORS") { return String(cString: env) }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let exeDir = directory(of: String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        for candidate in ["\(exeDir)/actors", "\(exeDir)/../../actors", "\(exeDir)/../../../actors",
                          "\(exeDir)/../share/moonbase/actors"] {
            var st = stat()
            if stat(candidate, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                return realpath(candidate, nil).map { p in defer { free(p) }; return String(cString: p) }
            }
        }
        return nil
    }
}

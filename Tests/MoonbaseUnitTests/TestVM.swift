@testable import Moonbase
import CLuaJIT
import CMoonbaseShim

/// A VM created directly on the test's thread (bound as its worker's
/// thread), for unit tests of parts that need a lua_State and a VM but no
/// running loop.
final class TestVM {
    let runtime: Runtime
    let vm: VM
    var lua: LuaState { LuaState(vm.L) }

    init() {
        runtime = Runtime(options: .init(threads: 1), scriptPath: "/nonexistent/unit.lua")
        let worker = runtime.workers[0]
        worker.bindCurrentThread()
        vm = VM(id: 1, worker: worker, runtime: runtime, context: "main", attachment: nil)
    }

    /// Runs `code` (a chunk returning one value) and leaves its result on the stack.
    func eval(_ code: String) -> Bool {
        guard luaL_loadstring(vm.L, code) == 0, lua_pcall(vm.L, 0, 1, 0) == 0 else { return false }
        return true
    }

    deinit { vm.end() }
}

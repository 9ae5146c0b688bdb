import CLibUV
import CLuaJIT
import CMoonbaseShim

/// An open file: the fd, closed at most once (by `close`, `__gc` or the VM's end),
/// and never while a request still uses it.
final class FSFile: VMResource {
    private var fd: Int32
    let path: String
    let loop: UnsafeMutablePointer<uv_loop_t>
    private var closed = false
    private var closePending = false
    /// Requests in flight on the fd.
    var inflight = 0

    init(fd: Int32, path: String, loop: UnsafeMutablePointer<uv_loop_t>) {
        self.fd = fd
        self.path = path
        self.loop = loop
    }

    var usableFD: Int32? { closed ? nil : fd }

    func markClosed() { closed = true }

    /// Closes the fd now (asynchronously, nobody waits) or once requests end.
    func closeWhenIdle() {
        guard fd >= 0 else { return }
        if inflight > 0 { closePending = true; return }
        FSRequest.closeDetached(fd, loop: loop)
        fd = -1
    }

    func requestEnded() {
        inflight -= 1
        if inflight == 0 && closePending {
            closePending = false
            closeWhenIdle()
        }
    }

    /// A `close` request now owns the fd.
    func forgetFD() { fd = -1 }

    func release() {
        if !closed { closed = true; closeWhenIdle() }
    }
}

/// A file handle in Lua: the shared userdata box (`pushBoxed`) holding an
/// `FSFile`, with the metatable the Lua half builds and hands over.
extension FSModule {
    // set_file_metatable(mt): the Lua half hands over the file handle metatable.
    static let setFileMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "fs.set_file_metatable", "mt")
            if let old = vm.metatables[fileMetatable] { luaL_unref(lua.L, mb_registryindex(), old) }
            vm.registerMetatable(fileMetatable, at: 1, on: lua)
            return 0
        }
    }

    // __gc of a file handle: closes the fd (asynchronously) if still open.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard let (file, _) = VM.from(lua).takeBoxed(lua, 1, fileMetatable, as: FSFile.self) else { return 0 }
            if file.usableFD != nil {
                file.markClosed()
                file.closeWhenIdle()
            }
            VM.from(lua).unregister(file)
            return 0
        }
    }

    static let describe: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let file = try checkFile(lua, VM.from(lua), 1, "tostring")
            lua.push(file.usableFD == nil ? "file (closed)" : "file (\(file.path))")
            return 1
        }
    }

    static func checkFile(_ lua: LuaState, _ vm: VM, _ i: Int32, _ function: String) throws(LuaError) -> FSFile {
        guard let file = vm.boxed(lua, i, fileMetatable, as: FSFile.self) else {
            throw .badArgument(function, i, "file", expected: "file", got: lua.typeName(at: i))
        }
        return file
    }
}

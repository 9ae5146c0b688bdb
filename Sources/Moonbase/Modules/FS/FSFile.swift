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
        FSOp.closeDetached(fd, loop: loop)
        fd = -1
    }

    func requestEnded() {
        inflight -= 1
        if inflight == 0 && closePending {
            closePending = false
            closeWhenIdle()
        }
    }

    /// The fd was closed by a `close` request.
    func forgetFD() { fd = -1 }

    func release() {
        if !closed { closed = true; closeWhenIdle() }
    }
}

/// A file handle in Lua: a userdata holding one retain of an `FSFile` (released
/// by `__gc`), with the metatable the Lua source hands over.
extension FSModule {
    // set_file_metatable(mt): the Lua source hands over the file handle metatable.
    static let setFileMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            try lua.checkType(1, LUA_TTABLE, "fs.set_file_metatable", "mt")
            if let old = vm.metatables[fileMetatable] { luaL_unref(lua.L, mb_registryindex(), old) }
            lua.pushValue(1)
            vm.metatables[fileMetatable] = luaL_ref(lua.L, mb_registryindex())
            return 0
        }
    }

    // __gc of a file handle: closes the fd (asynchronously) if still open.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard lua_type(lua.L, 1) == LUA_TUSERDATA, let p = lua_touserdata(lua.L, 1) else { return 0 }
            let raw = p.load(as: UnsafeMutableRawPointer?.self)
            guard let raw else { return 0 }
            p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            let file = Unmanaged<FSFile>.fromOpaque(raw).takeRetainedValue()
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
        guard let p = vm.userdata(lua, i, fileMetatable),
              let raw = p.load(as: UnsafeMutableRawPointer?.self) else {
            throw .badArgument(function, i, "file", expected: "file", got: lua.typeName(at: i))
        }
        return Unmanaged<FSFile>.fromOpaque(raw).takeUnretainedValue()
    }

    static func pushFile(_ vm: VM, _ file: FSFile, onto lua: LuaState) {
        let box = lua_newuserdata(lua.L, MemoryLayout<UnsafeRawPointer>.size)!
        box.storeBytes(of: Unmanaged.passRetained(file).toOpaque(), as: UnsafeMutableRawPointer.self)
        if let ref = vm.metatables[fileMetatable] {
            lua_rawgeti(lua.L, mb_registryindex(), ref)
            lua_setmetatable(lua.L, -2)
        }
    }
}

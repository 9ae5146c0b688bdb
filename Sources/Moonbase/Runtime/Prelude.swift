import CLuaJIT
import CMoonbaseShim

/// Sets up a fresh VM: internals, globals, `require` paths and modules.
/// The Lua half is `lua/prelude.lua`.
enum Prelude {
    static let source: String = {
        guard let text = EmbeddedLua.source(named: "prelude") else { fatalError("moonbase: lua/prelude.lua is not embedded") }
        return text
    }()

    /// Returns the error that stopped it (out of memory), or nil.
    static func install(_ vm: VM) -> String? {
        let L = vm.L
        let lua = LuaState(L)
        let base = lua.top
        let modules = vm.runtime.modules
        // internals (rt): sentinels and the Swift core functions.
        lua_createtable(L, 0, 32)
        let internals = lua.top
        lua.pushLightUserdata(Sentinel.suspend)
        lua.rawSetField(internals, "SUSPEND")
        lua.pushLightUserdata(Sentinel.raise)
        lua.rawSetField(internals, "RAISE")
        FiberFunctions.install(vm, into: internals)
        Shutdown.install(vm, into: internals)
        for module in modules { module.install?(vm, internals) }
        lua.push(vm.runtime.scriptPath)
        lua.rawSetField(internals, "script_path")
        // modules: name -> { raw = {Swift functions}, source = "...", start = true? }
        lua_createtable(L, 0, Int32(modules.count))
        let table = lua.top
        for module in modules {
            lua_createtable(L, 0, 3)
            lua_createtable(L, 0, Int32(module.functions.count))
            for (name, fn) in module.functions { vm.setFunction(-1, name, fn) }
            lua.rawSetField(-2, "raw")
            if let source = module.source {
                lua.push(source)
                lua.rawSetField(-2, "source")
            }
            if module.loadAtStart {
                lua.push(true)
                lua.rawSetField(-2, "start")
            }
            lua.rawSetField(table, module.name)
        }
        lua.push(vm.context)
        lua.push(vm.runtime.scriptDirectory)
        lua.push(vm.runtime.actorsDirectory ?? "")
        let status = luaL_loadbuffer(L, source, source.utf8.count, "=[moonbase prelude]")
        if status == LUA_ERRMEM {
            lua.setTop(base)
            return "not enough memory"
        }
        precondition(status == 0, "moonbase: prelude does not compile: \(lua.toString(-1) ?? "")")
        lua_insert(L, internals)
        if lua_pcall(L, 5, 0, 0) != 0 {
            let message = lua.toString(-1) ?? "prelude failed"
            lua.setTop(base)
            return message
        }
        lua.setTop(base)
        return nil
    }
}

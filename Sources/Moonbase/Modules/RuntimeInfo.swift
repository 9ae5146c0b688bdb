import CLuaJIT

/// `require 'moonbase'`: facts about the running process a program needs to
/// size itself, such as one listener per worker for a multi-core server.
enum RuntimeInfoModule {
    static let definition = LuaModule(name: "moonbase", functions: [
        ("workers", workers),
        ("worker", worker),
        ("version", versionString),
    ], lua: "moonbase")

    private static let versionString: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.push(version)
            return 1
        }
    }

    private static let workers: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua_pushinteger(L, lua_Integer(VM.from(lua).worker.runtime.workers.count))
            return 1
        }
    }

    private static let worker: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua_pushinteger(L, lua_Integer(VM.from(lua).worker.index + 1))
            return 1
        }
    }
}

/// `require 'json'`: JSON encode/decode shipped with the runtime, so programs
/// never depend on an optional package (lua-cjson may be absent).
///
/// Written in Lua: LuaJIT compiles it well, and policy (null, arrays, key
/// order, error texts) is easier to read there than over the C API.
enum JSONModule {
    static let definition = LuaModule(name: "json", functions: [("array_metatable", arrayMetatable)], lua: "json")

    /// The VM's array mark (shared with the message codec, which carries it).
    static let arrayMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).pushArrayMark(onto: lua)
            return 1
        }
    }
}

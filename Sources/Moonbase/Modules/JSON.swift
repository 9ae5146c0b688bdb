/// `require 'json'`: JSON encode/decode shipped with the runtime, so programs
/// never depend on an optional package (lua-cjson may be absent).
///
/// Written in Lua: LuaJIT compiles it well, and policy (null, arrays, key
/// order, error texts) is easier to read there than over the C API.
enum JSONModule {
    static let definition = LuaModule(name: "json", lua: "json")
}

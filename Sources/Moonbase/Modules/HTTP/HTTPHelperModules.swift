/// The Lua-only parts of `http` (routing and request helpers), each its own
/// embedded file, loaded by lua/http.lua with `require`: one concept a file
/// keeps them apart from the serve loop.
extension HTTPModule {
    static let helperDefinitions: [LuaModule] = [
        LuaModule(name: "http.codec", lua: "http_codec"),
        LuaModule(name: "http.request", lua: "http_request"),
        LuaModule(name: "http.response", lua: "http_response"),
        LuaModule(name: "http.router", lua: "http_router"),
    ]
}

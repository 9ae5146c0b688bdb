/// A Lua module the runtime provides to `require`.
///
/// `functions` are Swift functions bound to the VM; `source`, if any, is Lua
/// code run once at the first `require` with `(raw, rt)` (the table of those
/// functions and the runtime internals) and returns the module. Suspending
/// Swift functions are wrapped there with `rt.suspending`.
struct LuaModule {
    let name: String
    let functions: [(String, LuaFunction)]
    let source: String?

    init(name: String, functions: [(String, LuaFunction)] = [], source: String? = nil) {
        self.name = name
        self.functions = functions
        self.source = source
    }
}

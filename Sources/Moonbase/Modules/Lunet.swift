/// `require 'lunet'`: Lunet's core names (`spawn` runs the function at once up
/// to its first suspension, `sleep` takes milliseconds) and its sub-modules.
enum LunetModule {
    static let definition = LuaModule(name: "lunet", lua: "lunet")
}

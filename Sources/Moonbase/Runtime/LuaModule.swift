/// A Lua module the runtime provides to `require`.
///
/// `functions` are Swift functions bound to the VM; the module's Lua half,
/// `Sources/Moonbase/lua/<lua>.lua` (embedded at build time), runs once at the
/// first `require` with `(raw, rt)`: the table of those functions and the
/// runtime internals, and returns the module. Suspending Swift functions are
/// wrapped there with `rt.suspending`.
///
/// Modules register themselves in one list (`Modules/ModuleList.swift`) that
/// the runtime is given: the runtime knows no module.
struct LuaModule: Sendable {
    let name: String
    let functions: [(String, LuaFunction)]
    /// The module's Lua source text (the embedded file, or legacy inline text).
    let source: String?
    /// Runs when a VM is created, before any Lua: adds internals to `rt` (the
    /// table at the given index) for Lua halves of the runtime itself.
    let install: (@Sendable (VM, Int32) -> Void)?
    /// Required by every VM at start (e.g. modules defining globals).
    let loadAtStart: Bool

    /// A module whose Lua half is `lua/<lua>.lua`.
    init(name: String, functions: [(String, LuaFunction)] = [], lua file: String? = nil,
         loadAtStart: Bool = false, install: (@Sendable (VM, Int32) -> Void)? = nil) {
        self.name = name
        self.functions = functions
        if let file {
            guard let text = EmbeddedLua.source(named: file) else {
                fatalError("moonbase: no embedded Lua file lua/\(file).lua for module \(name)")
            }
            self.source = text
        } else {
            self.source = nil
        }
        self.install = install
        self.loadAtStart = loadAtStart
    }

    /// Transitional: a module whose Lua half is still inline text.
    init(name: String, functions: [(String, LuaFunction)] = [], source: String?) {
        self.name = name
        self.functions = functions
        self.source = source
        self.install = nil
        self.loadAtStart = false
    }
}

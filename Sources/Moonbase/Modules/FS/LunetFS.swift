extension FSModule {
    /// `require 'lunet.fs'`: Lunet's names; `close` returns nil on success or the error.
    static let lunetDefinition = LuaModule(name: "lunet.fs", lua: "lunet_fs")
}

/// Every module `require` can load besides Lua's own: the one list where
/// modules register themselves. The runtime is given this list and knows no
/// module by name.
enum ModuleList {
    static let all: [LuaModule] = [
        ActorsModule.definition,
        TimeModule.definition,
        MutexModule.definition,
        ConditionVariableModule.definition,
        ChannelModule.definition,
        LunetModule.definition,
        RuntimeInfoModule.definition,
        FSModule.definition, FSModule.lunetDefinition,
        SocketModule.definition,
        LunetSocketModule.definition,
        HTTPModule.definition,
        UDPModule.definition,
        MySQLModule.definition,
        LunetMySQLModule.definition,
        JSONModule.definition,
        SignalModule.definition,
        LogModule.definition,
    ] + HTTPModule.helperDefinitions
}

extension Runtime {
    /// A runtime with every module of `ModuleList`.
    public convenience init(options: Options, scriptPath: String) {
        self.init(options: options, scriptPath: scriptPath, modules: ModuleList.all)
    }
}

import PackagePlugin

/// Embeds the target's `lua/*.lua` files into the binary: one generated Swift
/// file maps each file's name (without `.lua`) to its source text, so the Lua
/// half of the runtime stays in real `.lua` files (highlighting, luacheck,
/// `luajit -bl`) and still ships inside the one executable.
@main
struct EmbedLua: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let inputs = target.sourceFiles(withSuffix: "lua").map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLua.swift")
        return [.buildCommand(
            displayName: "Embedding \(inputs.count) Lua files",
            executable: try context.tool(named: "EmbedLuaTool").url,
            arguments: [output.path] + inputs.map(\.path),
            inputFiles: inputs,
            outputFiles: [output]
        )]
    }
}

import Foundation
import Testing

/// Every function docs/API.md documents has a LuaLS definition under types/.
struct TypeDefinitionTests {
    /// Named in docs/API.md but not Moonbase's to define: Lua's own, or
    /// listed there as not yet provided.
    static let notOurs: Set<String> = ["coroutine.running", "coroutine.yield", "address:close"]

    @Test func everyDocumentedFunctionHasADefinition() throws {
        let api = try String(contentsOfFile: "\(packageRoot)/docs/API.md", encoding: .utf8)
        let folder = "\(packageRoot)/types"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".lua") }
        #expect(files.count >= 15)
        let definitions = try files.map { try String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
            .joined(separator: "\n")
        // `name.function(` and `object:method(` in code spans; the last part is what must be defined.
        let called = try Regex(#"`([A-Za-z_][A-Za-z0-9_.]*[.:]([A-Za-z_][A-Za-z0-9_]*))\("#)
        var documented: Set<String> = []
        var missing: [String] = []
        for match in api.matches(of: called) {
            guard let full = match.output[1].substring, let name = match.output[2].substring else { continue }
            if Self.notOurs.contains(String(full)) || !documented.insert(String(full)).inserted { continue }
            if !definitions.contains(".\(name)("), !definitions.contains(":\(name)(") {
                missing.append(String(full))
            }
        }
        for global in ["spawn", "spawn_vm"] where !definitions.contains("function \(global)(") {
            missing.append(global)
        }
        #expect(documented.count >= 80, "only \(documented.count) documented functions found")
        #expect(missing.isEmpty, "no definition in types/ for: \(missing.sorted().joined(separator: ", "))")
    }
}

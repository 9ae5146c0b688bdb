import CLuaJIT
#if canImport(Glibc)
import Glibc
#endif

/// `require 'log'`: the Swift half only moves finished lines to a writer
/// thread (`ErrorLog`), so a slow disk or a stderr nobody reads never stops a
/// loop. Levels, fields and formats are policy, in `lua/log.lua`.
enum LogModule {
    static let definition = LuaModule(name: "log", functions: [
        ("open", open),
        ("write", write),
        ("actor", actor),
    ], lua: "log")

    /// `open(path) -> target | nil, err`: the target number of the log file
    /// at `path` (stderr is target 0).
    private static let open: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let path = try lua.checkString(1, "log.configure", "file")
            switch ErrorLog.forFile(path) {
            case .success(let log):
                lua.push(log.number)
                return 1
            case .failure(let failure):
                return lua.pushFailure(uvErrorName(-failure.errno))
            }
        }
    }

    /// `write(target, line)`: queues `line` (its newline included) for the
    /// target; a line that does not fit the queue is counted and dropped.
    private static let write: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let target = try lua.checkInteger(1, "log.write", "target")
            let line = try lua.checkString(2, "log.write", "line")
            ErrorLog.log(at: Int(target))?.write(line)
            return 0
        }
    }

    /// `actor() -> id`: the calling VM's number, unique in the process (the
    /// main actor is 1).
    private static let actor: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.push(VM.from(lua).id)
            return 1
        }
    }
}

import CLuaJIT
import CMoonbaseShim
import Foundation
import Moonbase
import Testing

/// A Swift Lua function that builds live Swift objects and then fails: the
/// pattern every Moonbase function follows (throw LuaError, the trampoline raises).
private let failingSwiftFunction: LuaFunction = { L in
    luaEntry(L) { lua throws(LuaError) in
        let owned = [String](repeating: "live object", count: 4)  // must be released
        let n = try lua.checkNumber(1, "test.fail", "n")
        throw LuaError("test.fail: failed with \(owned.count) objects, n = \(Int(n))")
    }
}

private func residentBytes() -> Int {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
    let pages = Int(statm.split(separator: " ")[1]) ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

struct ErrorSafetyTests {
    /// A million errors raised from a Swift function: no crash, and resident
    /// memory stays flat (the measured leak without the trampoline was ~170 MB).
    @Test func millionErrorsFromSwiftDoNotLeak() throws {
        let L = luaL_newstate()!
        defer { lua_close(L) }
        luaL_openlibs(L)
        mb_push_swift_function(L, failingSwiftFunction, 0)
        mb_setglobal(L, "fail")
        let chunk = """
            local fail, pcall = fail, pcall
            local count, last = 0, nil
            for i = 1, ... do
              local ok, err = pcall(fail, i)
              if not ok then count = count + 1; last = err end
            end
            -- wrong argument types are reported naming the function and argument
            local ok, typeErr = pcall(fail, "x")
            return count, last, typeErr
            """
        func run(_ n: Int) -> (Int, String, String) {
            #expect(luaL_loadstring(L, chunk) == 0)
            lua_pushnumber(L, Double(n))
            let status = lua_pcall(L, 1, 3, 0)
            #expect(status == 0, "\(String(cString: mb_tostring(L, -1)))")
            let result = (Int(lua_tonumber(L, -3)), String(cString: mb_tostring(L, -2)),
                          String(cString: mb_tostring(L, -1)))
            mb_pop(L, 3)
            lua_gc(L, LUA_GCCOLLECT, 0)
            return result
        }
        _ = run(100_000)  // warm up: JIT traces, allocator pools
        let before = residentBytes()
        let (count, last, typeErr) = run(1_000_000)
        let grown = residentBytes() - before
        #expect(count == 1_000_000)
        #expect(last.hasSuffix("test.fail: failed with 4 objects, n = 1000000"))
        #expect(typeErr.contains("test.fail: bad argument #1 'n' (number expected, got string)"))
        #expect(grown < 16 << 20, "resident memory grew by \(grown) bytes over a million errors")
    }
}

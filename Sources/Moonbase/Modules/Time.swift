import CLibUV
import CLuaJIT

/// `require 'time'`: `sleep(seconds)`, `monotonic()`, `now()`.
enum TimeModule {
    static let definition = LuaModule(name: "time", functions: [
        ("sleep", sleep),
        ("monotonic", monotonic),
        ("now", now),
    ], lua: "time")

    static let sleep: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let seconds = try lua.checkNumber(1, "time.sleep", "seconds")
            guard seconds >= 0, seconds.isFinite else {
                throw LuaError("time.sleep: bad argument #1 'seconds' (finite number >= 0 expected, got \(seconds))")
            }
            let vm = VM.from(lua)
            let fiber = try vm.suspendingFiber("time.sleep")
            if let n = fiber.takeInterruption(lua) { return n }
            fiber.sleep(seconds: seconds)
            return vm.yield(lua)
        }
    }

    static let monotonic: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.push(Double(uv_hrtime()) / 1e9)
            return 1
        }
    }

    static let now: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            var tv = uv_timeval64_t()
            uv_gettimeofday(&tv)
            lua.push(Double(tv.tv_sec) + Double(tv.tv_usec) / 1e6)
            return 1
        }
    }
}

import CLuaJIT
import CMoonbaseShim

/// `require 'json'`: JSON encode/decode shipped with the runtime, so programs
/// never depend on an optional package (lua-cjson may be absent).
///
/// The walk over values and the parser are Swift over the Lua C API (as fast
/// as lua-cjson); what a refusal or a malformed text is called, and the
/// module's shape, stay in `lua/json.lua`.
enum JSONModule {
    static let definition = LuaModule(name: "json", functions: [
        ("array_metatable", arrayMetatable),
        ("encode", encode),
        ("decode", decode),
    ], lua: "json")

    /// The VM's array mark (shared with the message codec, which carries it).
    static let arrayMetatable: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).pushArrayMark(onto: lua)
            return 1
        }
    }

    /// Texts up to this size are built on the stack (no allocation).
    static let stackOutputSize = 1024

    /// encode(value, array_mark, scratch) -> text | nil, why, path steps, offender
    /// (the Lua half checks nothing more: it passes its own mark and scratch table).
    static let encode: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stackOutputSize) { memory in
                encode(lua, startingIn: memory)
            }
        }
    }

    private static func encode(_ lua: LuaState, startingIn memory: UnsafeMutableBufferPointer<UInt8>) -> Int32 {
        lua.setTop(3)
        var encoding = JSONEncoding(L: lua.L, arrayMark: 2, scratch: 3, output: JSONOutput(startingIn: memory))
        defer { encoding.finish() }
        do throws(JSONEncodeRefusal) {
            try encoding.encode(1, depth: 0)
        } catch {
            let offender = encoding.offender
            lua_checkstack(lua.L, 6)
            lua.pushNil()
            lua.push(error.rawValue)
            pushPath(encoding.path, onto: lua)
            lua.pushValue(offender)
            return 4
        }
        lua_pushlstring(lua.L, UnsafeRawPointer(encoding.output.base).assumingMemoryBound(to: CChar.self),
                        encoding.output.count)
        return 1
    }

    /// The steps to a refused value (given innermost first) as a Lua array
    /// from the root: numbers for array items, strings for object keys.
    private static func pushPath(_ path: [JSONEncoding.PathStep], onto lua: LuaState) {
        lua_createtable(lua.L, Int32(path.count), 0)
        for (n, step) in path.reversed().enumerated() {
            switch step {
            case .index(let i): lua.push(i)
            case .key(let bytes, let count): lua.push(bytes: UnsafeRawBufferPointer(start: bytes, count: count))
            }
            lua_rawseti(lua.L, -2, Int32(n + 1))
        }
    }

    /// decode(text, array_mark) -> value | nil, what, position (1-based; past
    /// the end for "at the end of the text").
    static let decode: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard let text = lua.toBytes(1) else { return 0 }
            var decoding = JSONDecoding(L: lua.L, text: text, arrayMark: 2)
            defer { decoding.finish() }
            do throws(JSONDecodeFailure) {
                try decoding.decodeDocument()
                return 1
            } catch {
                lua_checkstack(lua.L, 4)
                lua.pushNil()
                lua_pushlstring(lua.L, UnsafeRawPointer(error.what.utf8Start).assumingMemoryBound(to: CChar.self),
                                error.what.utf8CodeUnitCount)
                lua.push(error.position)
                return 3
            }
        }
    }
}

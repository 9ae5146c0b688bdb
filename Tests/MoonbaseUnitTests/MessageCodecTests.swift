@testable import Moonbase
import CLuaJIT
import Testing

/// The message codec on its own: values survive a round trip, and what cannot
/// be sent is refused with an error naming the path.
@Suite(.serialized) struct MessageCodecTests {
    /// Encodes the value `code` returns, decodes it, and re-serialises both
    /// with a canonical Lua printer to compare them.
    private func roundTrip(_ code: String) throws -> (String, String) {
        let t = TestVM()
        let printer = """
            local function show(v, seen)
              if type(v) ~= 'table' then return type(v) == 'string' and string.format('%q', v) or tostring(v) end
              local keys = {}
              for k in pairs(v) do keys[#keys + 1] = k end
              table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
              local out = {}
              for _, k in ipairs(keys) do out[#out + 1] = '[' .. show(k) .. ']=' .. show(v[k]) end
              return '{' .. table.concat(out, ',') .. '}'
            end
            return show
            """
        #expect(t.eval(printer))
        let show = t.lua.top
        #expect(t.eval("return " + code))
        let message = try MessageCodec.encode(t.lua, -1, vm: t.vm, function: "test")
        MessageCodec.decode(message, onto: t.lua, vm: t.vm)
        let received = t.lua.top, sent = received - 1
        func render(_ i: Int32) -> String {
            lua_pushvalue(t.vm.L, show)
            lua_pushvalue(t.vm.L, i)
            #expect(lua_pcall(t.vm.L, 1, 1, 0) == 0)
            defer { t.lua.pop() }
            return t.lua.toString(-1) ?? "?"
        }
        return (render(sent), render(received))
    }

    @Test func scalarsAndNestedTablesRoundTrip() throws {
        for code in ["nil", "true", "false", "0", "-1", "2147483647", "2147483648", "-0.5", "1e300",
                     "'plain'", "'\\0bytes\\255'", "{}", "{1, 2, 3}", "{a = 1, b = {c = {d = 'deep'}}}",
                     "{[1] = 'x', [3] = 'hole', [1.5] = 'float key', [true] = false}"] {
            let (sent, received) = try roundTrip(code)
            #expect(sent == received, "\(code)")
        }
    }

    @Test func largeStringLeavesInlineStorage() throws {
        let (sent, received) = try roundTrip("string.rep('x', 1000)")
        #expect(sent == received)
    }

    @Test func refusalsNameThePath() {
        let t = TestVM()
        for (code, expected) in [("{a = {b = print}}", "message.a.b"), ("{coroutine.create(print)}", "message[1]")] {
            #expect(t.eval("return " + code))
            do {
                _ = try MessageCodec.encode(t.lua, -1, vm: t.vm, function: "send")
                Issue.record("\(code) was encoded")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
            t.lua.pop()
        }
    }

    @Test func cyclesAndDepthAreRefused() {
        let t = TestVM()
        #expect(t.eval("local t = {} t.self = t return t"))
        #expect(throws: LuaError.self) { _ = try MessageCodec.encode(t.lua, -1, vm: t.vm, function: "send") }
        t.lua.pop()
        let depth = MessageCodec.maxDepth
        #expect(t.eval("local t = {} for i = 1, \(depth) do t = {t} end return t"))
        #expect(throws: LuaError.self) { _ = try MessageCodec.encode(t.lua, -1, vm: t.vm, function: "send") }
        t.lua.pop()
        #expect(t.eval("local t = {} for i = 1, \(depth - 1) do t = {t} end return t"))
        #expect(throws: Never.self) { _ = try MessageCodec.encode(t.lua, -1, vm: t.vm, function: "send") }
    }
}

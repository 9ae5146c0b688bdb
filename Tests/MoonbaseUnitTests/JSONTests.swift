@testable import Moonbase
import CLuaJIT
import Testing

/// The embedded json module, run in a VM: round trips, arrays, null, and
/// errors that name the path.
@Suite(.serialized) struct JSONTests {
    private func run(_ t: TestVM, _ body: String) -> String? {
        guard t.eval("local json = require('json')\n" + body) else { return "error: \(t.lua.toString(-1) ?? "?")" }
        defer { t.lua.pop() }
        return t.lua.toString(-1)
    }

    @Test func encodesWithSortedKeysAndMarkedArrays() {
        let t = TestVM()
        #expect(run(t, "return json.encode({b = 1, a = {json.null, true}, e = json.array()})")
                == #"{"a":[null,true],"b":1,"e":[]}"#)
        #expect(run(t, #"return json.encode(json.decode('{"x":[1,2,{"y":"z"}],"n":null}'))"#)
                == #"{"n":null,"x":[1,2,{"y":"z"}]}"#)
    }

    @Test func stringsAreEscapedAndUnescaped() {
        let t = TestVM()
        #expect(run(t, #"return json.encode('a"b\\c\n\1')"#) == #""a\"b\\c\n\u0001""#)
        #expect(run(t, #"return json.decode('"\\u00e9\\n"')"#) == "é\n")
    }

    @Test func badInputNamesWhere() {
        let t = TestVM()
        let e = run(t, "local ok, e = pcall(json.encode, {a = {print}}) return e") ?? ""
        #expect(e.contains("a[1]") || e.contains("a.1"), "\(e)")
        let d = run(t, "local ok, v, e = pcall(json.decode, '{\"a\": tru}') return tostring(ok and e or v)") ?? ""
        #expect(!d.isEmpty && d != "nil", "\(d)")
    }
}

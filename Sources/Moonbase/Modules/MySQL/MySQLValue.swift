import CLuaJIT
import CMariaDB
#if canImport(Glibc)
import Glibc
#endif

/// A value fetched through a prepared statement.
enum MySQLValue {
    case null, int(Int64), uint(UInt64), double(Double), bytes([UInt8])

    func push(_ lua: LuaState) {
        switch self {
        case .null: lua.pushLightUserdata(MySQLModule.null)
        case .double(let d): lua.push(d)
        case .int(let n):
            if n.magnitude <= Self.exactLimit { lua.push(Double(n)) } else { lua.push(String(n)) }
        case .uint(let n):
            if n <= Self.exactLimit { lua.push(Double(n)) } else { lua.push(String(n)) }
        case .bytes(let b): b.withUnsafeBytes { lua.push(bytes: $0) }
        }
    }
}

/// How column values become Lua values, for both protocols.
extension MySQLValue {
    static let exactLimit: UInt64 = 1 << 53

    /// Integers within ±2^53 become numbers; larger magnitudes decimal strings.
    static func pushInteger(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) {
        let negative = bytes.first == UInt8(ascii: "-")
        var magnitude: UInt64 = 0
        var ok = bytes.count > (negative ? 1 : 0)
        for b in bytes.dropFirst(negative ? 1 : 0) {
            guard b >= 48, b <= 57 else { ok = false; break }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(b - 48))
            if o1 || o2 { ok = false; break }
            magnitude = m2
        }
        if ok && magnitude <= exactLimit {
            lua.push(negative ? -Double(magnitude) : Double(magnitude))
        } else {
            lua.push(bytes: bytes)
        }
    }

    static func isInteger(_ t: enum_field_types) -> Bool {
        t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_INT24
            || t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR
    }
    static func isFloat(_ t: enum_field_types) -> Bool { t == MYSQL_TYPE_FLOAT || t == MYSQL_TYPE_DOUBLE }

    /// Pushes a text-protocol value of a column of type `t`.
    static func pushText(_ lua: LuaState, _ t: enum_field_types, _ bytes: UnsafeRawBufferPointer) {
        if isInteger(t) {
            pushInteger(lua, bytes)
        } else if isFloat(t) {
            var buf = [CChar](repeating: 0, count: bytes.count + 1)
            for (i, b) in bytes.enumerated() { buf[i] = CChar(bitPattern: b) }
            lua.push(strtod(buf, nil))
        } else {
            lua.push(bytes: bytes)
        }
    }
}

import CLuaJIT
import CMariaDB

/// Parameter bindings of a prepared statement, owned by the statement run
/// (`MySQLPreparedStatement`) until it is over: MariaDB reads the buffers
/// while it executes.
final class MySQLParamBinds {
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let lengths: UnsafeMutablePointer<UInt>
    private var buffers: [UnsafeMutableRawPointer] = []

    init(_ lua: LuaState, table: Int32, count: Int) throws(LuaError) {
        self.count = count
        binds = .allocate(capacity: max(1, count))
        lengths = .allocate(capacity: max(1, count))
        UnsafeMutableRawPointer(binds).initializeMemory(as: UInt8.self, repeating: 0,
                                                        count: MemoryLayout<MYSQL_BIND>.stride * max(1, count))
        lengths.initialize(repeating: 0, count: max(1, count))
        for i in 0..<count {
            lua_rawgeti(lua.L, table, Int32(i + 1))
            defer { lua.pop() }
            let b = binds + i
            switch lua.type(at: -1) {
            case LUA_TNIL:
                b.pointee.buffer_type = MYSQL_TYPE_NULL
            case LUA_TLIGHTUSERDATA where lua_touserdata(lua.L, -1) == UnsafeMutableRawPointer(mutating: MySQLModule.null):
                b.pointee.buffer_type = MYSQL_TYPE_NULL
            case LUA_TBOOLEAN:
                let p = try alloc(8)
                p.storeBytes(of: Int64(lua.toBoolean(-1) ? 1 : 0), as: Int64.self)
                b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                b.pointee.buffer = p
            case LUA_TNUMBER:
                let d = lua.toNumber(-1)
                let p = try alloc(8)
                if d == d.rounded(), abs(d) < 9.2e18 {
                    p.storeBytes(of: Int64(d), as: Int64.self)
                    b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                } else {
                    p.storeBytes(of: d, as: Double.self)
                    b.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                }
                b.pointee.buffer = p
            case LUA_TSTRING:
                let s = lua.toBytes(-1)!
                let p = try alloc(max(1, s.count))
                if let base = s.baseAddress { p.copyMemory(from: base, byteCount: s.count) }
                lengths[i] = UInt(s.count)
                b.pointee.buffer_type = MYSQL_TYPE_STRING
                b.pointee.buffer = p
                b.pointee.buffer_length = UInt(s.count)
                b.pointee.length = lengths + i
            default:
                throw LuaError("mysql.query: bad parameter #\(i + 1) (nil, boolean, number, string or mysql.null expected, got \(lua.typeName(at: -1)))")
            }
        }
    }

    private func alloc(_ n: Int) throws(LuaError) -> UnsafeMutableRawPointer {
        guard let p = RawMemory.allocate(n) else { throw LuaError("mysql.query: \(RawMemory.failure)") }
        buffers.append(p)
        return p
    }

    deinit {
        for p in buffers { RawMemory.free(p) }
        binds.deallocate()
        lengths.deallocate()
    }
}

import CLuaJIT
import CMariaDB

/// What an operation ended with, and how it becomes Lua values: the results of
/// `raw.open` (the connection), `raw.query` and `raw.execute` (`table, isRows`),
/// or `nil, err`.
enum MySQLOutcome {
    case error(String)
    case connected
    case summary(affected: UInt64, insertID: UInt64)
    /// A text-protocol result set, freed by the connection once pushed.
    case textRows(UnsafeMutablePointer<MYSQL_RES>)
    case rows(names: [[UInt8]], rows: [[MySQLValue]])

    func push(_ lua: LuaState, connection: MySQLConn) -> Int32 {
        switch self {
        case .error(let e):
            return lua.pushFailure(e)
        case .connected:
            return connection.pushHandle(lua)
        case .summary(let affected, let insertID):
            lua_createtable(lua.L, 0, 2)
            lua.push(Double(affected == UInt64.max ? 0 : affected))
            lua.rawSetField(-2, "affected_rows")
            lua.push(Double(insertID))
            lua.rawSetField(-2, "last_insert_id")
            lua.push(false)
            return 2
        case .textRows(let res):
            Self.pushTextRows(lua, res)
            lua.push(true)
            return 2
        case .rows(let names, let rows):
            Self.pushRows(lua, names, rows)
            lua.push(true)
            return 2
        }
    }

    private static func pushTextRows(_ lua: LuaState, _ res: UnsafeMutablePointer<MYSQL_RES>) {
        let nfields = Int(mysql_num_fields(res))
        let fields = mysql_fetch_fields(res)!
        let nrows = mysql_num_rows(res)
        lua_createtable(lua.L, Int32(clamping: nrows), 0)
        var r: Int32 = 0
        while let row = mysql_fetch_row(res) {
            let lengths = mysql_fetch_lengths(res)!
            lua_createtable(lua.L, 0, Int32(nfields))
            for i in 0..<nfields {
                let f = fields[i]
                lua_pushlstring(lua.L, f.name, Int(f.name_length))
                if let v = row[i] {
                    MySQLValue.pushText(lua, f.type, UnsafeRawBufferPointer(start: v, count: Int(lengths[i])))
                } else {
                    lua.pushLightUserdata(MySQLModule.null)
                }
                lua_rawset(lua.L, -3)
            }
            r += 1
            lua_rawseti(lua.L, -2, r)
        }
    }

    private static func pushRows(_ lua: LuaState, _ names: [[UInt8]], _ rows: [[MySQLValue]]) {
        lua_createtable(lua.L, Int32(clamping: rows.count), 0)
        for (r, row) in rows.enumerated() {
            lua_createtable(lua.L, 0, Int32(names.count))
            for (i, v) in row.enumerated() {
                names[i].withUnsafeBytes { lua.push(bytes: $0) }
                v.push(lua)
                lua_rawset(lua.L, -3)
            }
            lua_rawseti(lua.L, -2, Int32(r + 1))
        }
    }
}

import CMariaDB

/// Result bindings of a prepared statement: integers as 64-bit integers,
/// FLOAT/DOUBLE as doubles, everything else as bytes (DATE/TIME as text).
final class MySQLResultBinds {
    let count: Int
    let names: [[UInt8]]
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let lengths: UnsafeMutablePointer<UInt>
    let nulls: UnsafeMutablePointer<my_bool>
    let errors: UnsafeMutablePointer<my_bool>
    private var buffers: [UnsafeMutableRawPointer] = []

    init(_ meta: UnsafeMutablePointer<MYSQL_RES>) {
        count = Int(mysql_num_fields(meta))
        let fields = mysql_fetch_fields(meta)!
        let n = max(1, count)
        binds = .allocate(capacity: n)
        UnsafeMutableRawPointer(binds).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<MYSQL_BIND>.stride * n)
        lengths = .allocate(capacity: n)
        lengths.initialize(repeating: 0, count: n)
        nulls = .allocate(capacity: n)
        nulls.initialize(repeating: 0, count: n)
        errors = .allocate(capacity: n)
        errors.initialize(repeating: 0, count: n)
        var names: [[UInt8]] = []
        for i in 0..<count {
            let f = fields[i]
            names.append(Array(UnsafeRawBufferPointer(start: f.name, count: Int(f.name_length))))
            let b = binds + i
            b.pointee.length = lengths + i
            b.pointee.is_null = nulls + i
            b.pointee.error = errors + i
            let size: Int
            if MySQLValue.isInteger(f.type) {
                b.pointee.buffer_type = MYSQL_TYPE_LONGLONG
                b.pointee.is_unsigned = f.flags & UInt32(UNSIGNED_FLAG) != 0 ? 1 : 0
                size = 8
            } else if MySQLValue.isFloat(f.type) {
                b.pointee.buffer_type = MYSQL_TYPE_DOUBLE
                size = 8
            } else {
                b.pointee.buffer_type = MYSQL_TYPE_STRING
                size = max(64, Int(f.max_length) + 1)
            }
            let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            buffers.append(p)
            b.pointee.buffer = p
            b.pointee.buffer_length = UInt(size)
        }
        self.names = names
    }

    /// The values of the row just fetched.
    func row(_ stmt: UnsafeMutablePointer<MYSQL_STMT>) -> [MySQLValue] {
        var out: [MySQLValue] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let b = binds + i
            if nulls[i] != 0 { out.append(.null); continue }
            switch b.pointee.buffer_type {
            case MYSQL_TYPE_LONGLONG:
                if b.pointee.is_unsigned != 0 {
                    out.append(.uint(b.pointee.buffer.load(as: UInt64.self)))
                } else {
                    out.append(.int(b.pointee.buffer.load(as: Int64.self)))
                }
            case MYSQL_TYPE_DOUBLE:
                out.append(.double(b.pointee.buffer.load(as: Double.self)))
            default:
                let len = Int(lengths[i])
                if len <= Int(b.pointee.buffer_length) {
                    out.append(.bytes(Array(UnsafeRawBufferPointer(start: b.pointee.buffer, count: len))))
                } else {
                    // Truncated: fetch the whole value from the stored row.
                    var bytes = [UInt8](repeating: 0, count: len)
                    var got: UInt = 0
                    bytes.withUnsafeMutableBytes { buf in
                        var tmp = MYSQL_BIND()
                        tmp.buffer_type = MYSQL_TYPE_STRING
                        tmp.buffer = buf.baseAddress
                        tmp.buffer_length = UInt(len)
                        withUnsafeMutablePointer(to: &got) { gp in
                            tmp.length = gp
                            _ = mysql_stmt_fetch_column(stmt, &tmp, UInt32(i), 0)
                        }
                    }
                    out.append(.bytes(bytes))
                }
            }
        }
        return out
    }

    deinit {
        for p in buffers { p.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }
}

import CLuaJIT
import CMoonbaseShim

/// A Lua value copied out of one VM, ready to be rebuilt in another.
///
/// `bytes` is a compact tagged encoding; `addresses` holds the mailboxes of the
/// addresses inside it (each encoded as an index), so an actor stays reachable
/// while its address travels.
struct Message: @unchecked Sendable {
    var bytes: MessageBytes
    var addresses: [Mailbox]
}

/// Encodes Lua values into `Message`s and decodes them, in one pass each.
///
/// Encoding: nil, false, true; numbers as int32 when exact, else float64;
/// strings as length + bytes; tables as array length, hash length, then the
/// array values and the key/value pairs; addresses as an index. Limits keep a
/// message bounded: `maxDepth` nesting levels and `maxBytes` in all.
enum MessageCodec {
    static let maxDepth = 64
    static let maxBytes = 64 << 20

    private enum Tag: UInt8 {
        case null = 0, falseValue, trueValue, int32, float64, string, table, address
        /// `json.null`, and a table marked as a JSON array (`json.array`).
        case jsonNull, markedArray
    }

    /// The metatable marking a table as a JSON array; the codec carries the
    /// mark, so a decoded array stays an array in the receiving actor.
    static let arrayMark = MetatableName("json array")

    /// Encodes the value at `index` of `lua`. Throws a `LuaError` naming the
    /// offending part (function, cycle, depth, size); nothing is sent then.
    static func encode(_ lua: LuaState, _ index: Int32, vm: VM, function: String) throws(LuaError) -> Message {
        var encoder = Encoder(lua: lua, vm: vm, function: function, scratch: vm.messageScratch)
        defer { encoder.giveBack() }
        try encoder.encode(lua.absIndex(index), depth: 0)
        guard let bytes = MessageBytes(copying: encoder.base, count: encoder.count) else {
            throw LuaError("\(function): \(RawMemory.failure)")
        }
        return Message(bytes: bytes, addresses: encoder.addresses)
    }

    /// One step from the message's root to the value being encoded. Kept as
    /// indices (a key stays on the Lua stack while its value is encoded) so
    /// the path costs nothing unless an error has to name it.
    fileprivate enum PathStep {
        case arrayIndex(Int)
        case keyAt(Int32)
    }

    /// The encoder's working memory, kept by each VM between messages so a
    /// send allocates only the message's own bytes.
    final class Scratch {
        /// RawMemory's, grown by `Encoder.grow`; with no memory at the start,
        /// capacity 0 and a placeholder never written (the first append grows).
        fileprivate var base: UnsafeMutableRawPointer
        fileprivate var capacity: Int
        fileprivate var open: [UnsafeRawPointer] = []
        fileprivate var path: [PathStep] = []
        init() {
            let first = RawMemory.allocate(256)
            base = first ?? UnsafeMutableRawPointer(mutating: Sentinel.null)
            capacity = first == nil ? 0 : 256
        }
        deinit { if capacity > 0 { RawMemory.free(base) } }
    }

    /// Works on local copies of the scratch memory (a struct on the stack:
    /// no exclusivity checks per byte written) and hands it back at the end.
    private struct Encoder {
        let lua: LuaState
        let vm: VM
        let function: String
        let scratch: Scratch
        var base: UnsafeMutableRawPointer
        var capacity: Int
        var count = 0
        var addresses: [Mailbox] = []
        /// Tables on the current path, to refuse cycles.
        var open: [UnsafeRawPointer]
        var path: [PathStep]

        init(lua: LuaState, vm: VM, function: String, scratch: Scratch) {
            self.lua = lua
            self.vm = vm
            self.function = function
            self.scratch = scratch
            base = scratch.base
            capacity = scratch.capacity
            open = scratch.open
            path = scratch.path
            scratch.open = []
            scratch.path = []
        }

        mutating func giveBack() {
            scratch.base = base
            scratch.capacity = capacity
            open.removeAll(keepingCapacity: true)
            path.removeAll(keepingCapacity: true)
            scratch.open = open
            scratch.path = path
        }

        @inline(__always) mutating func ensure(_ n: Int) throws(LuaError) {
            if count + n > capacity { try grow(count + n) }
        }

        private mutating func grow(_ needed: Int) throws(LuaError) {
            var size = max(capacity * 2, 256)
            while size < needed { size *= 2 }
            guard let bigger = RawMemory.resize(capacity > 0 ? base : nil, to: size) else {
                throw LuaError("\(function): \(RawMemory.failure)")
            }
            base = bigger
            capacity = size
        }

        mutating func encode(_ i: Int32, depth: Int) throws(LuaError) {
            let L = lua.L
            switch lua_type(L, i) {
            case LUA_TNIL, LUA_TNONE:
                try append(Tag.null.rawValue)
            case LUA_TBOOLEAN:
                try append(lua_toboolean(L, i) != 0 ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
            case LUA_TNUMBER:
                let n = lua_tonumber(L, i)
                if let small = Int32(exactly: n), !(n == 0 && n.sign == .minus) {
                    try append(Tag.int32.rawValue)
                    try append(UInt32(bitPattern: small))
                } else {
                    try append(Tag.float64.rawValue)
                    try append(n.bitPattern)
                }
            case LUA_TSTRING:
                var len = 0
                let p = lua_tolstring(L, i, &len)!
                try reserve(len + 5)
                try append(Tag.string.rawValue)
                try append(UInt32(len))
                try ensure(len)
                (base + count).copyMemory(from: p, byteCount: len)
                count += len
            case LUA_TTABLE:
                try encodeTable(i, depth: depth)
            case LUA_TUSERDATA:
                if let mailbox = Address.mailbox(lua, i, vm) {
                    try append(Tag.address.rawValue)
                    try append(UInt32(addresses.count))
                    addresses.append(mailbox)
                    return
                }
                throw refuse("userdata")
            case LUA_TLIGHTUSERDATA where lua_touserdata(L, i) == UnsafeMutableRawPointer(mutating: Sentinel.null):
                try append(Tag.jsonNull.rawValue)
            default:
                throw refuse(lua.typeName(at: i))
            }
        }

        private mutating func encodeTable(_ t: Int32, depth: Int) throws(LuaError) {
            let L = lua.L
            guard depth < MessageCodec.maxDepth else {
                throw LuaError("\(function): \(describePath()) nests deeper than \(MessageCodec.maxDepth) levels")
            }
            let identity = lua_topointer(L, t)!
            if open.contains(identity) { throw LuaError("\(function): Reference cycle exists (\(describePath()) is a table that contains itself)") }
            open.append(identity)
            defer { open.removeLast() }
            var marked = false
            if lua_getmetatable(L, t) != 0 {
                if let ref = vm.metatables[MessageCodec.arrayMark] {
                    lua_rawgeti(L, mb_registryindex(), ref)
                    marked = lua_rawequal(L, -1, -2) != 0
                    mb_pop(L, 1)
                }
                mb_pop(L, 1)
                // Addresses are userdata; a table with another metatable would lose it.
                if !marked {
                    throw LuaError("\(function): \(describePath()) has a metatable (only plain tables and json arrays can be sent)")
                }
            }
            let arrayCount = Int(lua_objlen(L, t))
            try reserve(9)
            try append(marked ? Tag.markedArray.rawValue : Tag.table.rawValue)
            try append(UInt32(arrayCount))
            // The hash count is known after one pass over the pairs: patched in.
            let hashCountOffset = count
            try append(UInt32(0))
            var hashCount: UInt32 = 0
            defer { patch(UInt32(hashCount), at: hashCountOffset) }
            for k in 0..<arrayCount {
                lua_rawgeti(L, t, Int32(k + 1))
                path.append(.arrayIndex(k + 1))
                try encode(lua.top, depth: depth + 1)
                path.removeLast()
                mb_pop(L, 1)
            }
            lua_pushnil(L)
            while lua_next(L, t) != 0 {
                let keyIndex = lua.top - 1
                if isArrayKey(keyIndex, arrayCount) { mb_pop(L, 1); continue }
                switch lua_type(L, keyIndex) {
                case LUA_TSTRING, LUA_TNUMBER, LUA_TBOOLEAN:
                    break
                default:
                    let error = LuaError("\(function): \(describePath()) has a \(lua.typeName(at: keyIndex)) key (keys must be strings, numbers or booleans)")
                    mb_pop(L, 2)
                    throw error
                }
                hashCount += 1
                do {
                    try encode(keyIndex, depth: depth + 1)
                    path.append(.keyAt(keyIndex))
                    try encode(lua.top, depth: depth + 1)
                    path.removeLast()
                } catch {
                    mb_pop(L, 2)
                    throw error
                }
                mb_pop(L, 1)
            }
        }

        private func isArrayKey(_ i: Int32, _ arrayCount: Int) -> Bool {
            guard lua_type(lua.L, i) == LUA_TNUMBER else { return false }
            let n = lua_tonumber(lua.L, i)
            return n >= 1 && n <= Double(arrayCount) && n == n.rounded()
        }

        /// `message.key[2].other`: formatted only for an error, while every
        /// key on the path is still on the Lua stack.
        private func describePath() -> String {
            var text = "message"
            for step in path {
                switch step {
                case .arrayIndex(let k):
                    text += "[\(k)]"
                case .keyAt(let i):
                    switch lua_type(lua.L, i) {
                    case LUA_TSTRING: text += "." + (lua.toString(i) ?? "?")
                    case LUA_TNUMBER: text += "[\(lua_tonumber(lua.L, i))]"
                    default: text += "[\(lua_toboolean(lua.L, i) != 0)]"
                    }
                }
            }
            return text
        }

        private func refuse(_ kind: String) -> LuaError {
            LuaError("\(function): cannot send a \(kind) (\(describePath())); messages carry nil, booleans, numbers, strings, tables and addresses")
        }

        private mutating func reserve(_ n: Int) throws(LuaError) {
            if count + n > MessageCodec.maxBytes {
                throw LuaError("\(function): message larger than \(MessageCodec.maxBytes) bytes")
            }
        }

        private func patch(_ v: UInt32, at offset: Int) {
            base.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
        }
        @inline(__always) private mutating func append(_ v: UInt8) throws(LuaError) {
            try ensure(1)
            base.storeBytes(of: v, toByteOffset: count, as: UInt8.self)
            count += 1
        }
        @inline(__always) private mutating func append(_ v: UInt32) throws(LuaError) {
            try ensure(4)
            base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt32.self)
            count += 4
        }
        @inline(__always) private mutating func append(_ v: UInt64) throws(LuaError) {
            try ensure(8)
            base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt64.self)
            count += 8
        }
    }

    /// `{event = 'down', from = address, reason = reason}`, built without a VM.
    static func downMessage(from: Mailbox, reason: String) -> Message {
        var b: [UInt8] = [Tag.table.rawValue]
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { b.append(contentsOf: $0) } }
        func str(_ s: String) { b.append(Tag.string.rawValue); u32(s.utf8.count); b.append(contentsOf: s.utf8) }
        u32(0); u32(3)
        str("event"); str("down")
        str("from"); b.append(Tag.address.rawValue); u32(0)
        str("reason"); str(reason)
        // A long reason with no memory left to copy it: the short text fits inline.
        guard let bytes = MessageBytes(b) else { return downMessage(from: from, reason: RawMemory.failure) }
        from.retainReference()
        return Message(bytes: bytes, addresses: [from])
    }

    /// Pushes the decoded value onto `lua`. The message was made by `encode`,
    /// so its bytes are trusted.
    static func decode(_ message: Message, onto lua: LuaState, vm: VM) {
        message.bytes.withUnsafeBytes { raw in
            var offset = 0
            decodeValue(raw, &offset, lua, vm, message.addresses)
        }
    }

    private static func decodeValue(_ raw: UnsafeRawBufferPointer, _ o: inout Int, _ lua: LuaState,
                                    _ vm: VM, _ addresses: [Mailbox]) {
        let L = lua.L
        let tag = Tag(rawValue: raw[o])!
        o += 1
        switch tag {
        case .null: lua_pushnil(L)
        case .jsonNull: lua_pushlightuserdata(L, UnsafeMutableRawPointer(mutating: Sentinel.null))
        case .falseValue: lua_pushboolean(L, 0)
        case .trueValue: lua_pushboolean(L, 1)
        case .int32:
            lua_pushnumber(L, Double(Int32(bitPattern: read32(raw, &o))))
        case .float64:
            lua_pushnumber(L, Double(bitPattern: read64(raw, &o)))
        case .string:
            let len = Int(read32(raw, &o))
            lua_pushlstring(L, raw.baseAddress!.advanced(by: o).assumingMemoryBound(to: CChar.self), len)
            o += len
        case .table, .markedArray:
            let arrayCount = read32(raw, &o)
            let hashCount = read32(raw, &o)
            lua_createtable(L, Int32(arrayCount), Int32(hashCount))
            let t = lua.top
            for k in 0..<arrayCount {
                decodeValue(raw, &o, lua, vm, addresses)
                lua_rawseti(L, t, Int32(k + 1))
            }
            for _ in 0..<hashCount {
                decodeValue(raw, &o, lua, vm, addresses)
                decodeValue(raw, &o, lua, vm, addresses)
                lua_rawset(L, t)
            }
            if tag == .markedArray {
                vm.pushArrayMark(onto: lua)
                lua_setmetatable(L, t)
            }
        case .address:
            Address.push(addresses[Int(read32(raw, &o))], onto: lua, vm: vm)
        }
    }

    @inline(__always) private static func read32(_ raw: UnsafeRawBufferPointer, _ o: inout Int) -> UInt32 {
        let v = raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)
        o += 4
        return UInt32(littleEndian: v)
    }
    @inline(__always) private static func read64(_ raw: UnsafeRawBufferPointer, _ o: inout Int) -> UInt64 {
        let v = raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)
        o += 8
        return UInt64(littleEndian: v)
    }
}

import CLuaJIT
import CMoonbaseShim
import Glibc

/// Why `json.encode` refused a value. The Lua half turns it into the message
/// (`lua/json.lua`, `encode_failure`): the text stays policy, kept in Lua.
enum JSONEncodeRefusal: String, Error {
    case cycle, depth, metatable, key, mixed, sparse, number, type
}

/// One `json.encode` call: walks a Lua value with raw access only (no
/// metamethod runs, so nothing can raise or yield) and writes its JSON text.
///
/// Objects are written with their keys sorted by bytes (as Lua's `<` orders
/// strings): their values wait in the caller's scratch table meanwhile, so
/// each is read back by index instead of by hashing its key again.
struct JSONEncoding {
    static let maxDepth = 1000

    /// One step from the root to a refused value: built only on the way
    /// out of an error (each level adds its own), so a success pays nothing.
    enum PathStep {
        case index(Int)
        case key(UnsafePointer<UInt8>, Int)
    }

    /// A table on the current path (to refuse cycles): a list threaded
    /// through the recursion's frames, so walking allocates nothing.
    private struct Ancestor {
        let identity: UnsafeRawPointer
        let parent: UnsafePointer<Ancestor>?
    }

    /// A string key of the object being written; `slot` holds its value in
    /// the scratch table. The bytes stay valid: the table keeps the key alive.
    private struct Key {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        let slot: Int32
        /// The first 8 bytes (zeros past the end) as a big-endian number: most
        /// keys differ there, so one integer comparison orders them.
        let prefix: UInt64

        init(bytes: UnsafePointer<UInt8>, count: Int, slot: Int32) {
            self.bytes = bytes
            self.count = count
            self.slot = slot
            prefix = jsonLoadUpTo8(UnsafeRawPointer(bytes), count).byteSwapped  // the first byte highest
        }
    }

    /// Lua's `<` on strings: bytes compared unsigned, a prefix first.
    /// (Keys are short: a loop beats a call to memcmp.)
    @inline(__always) private static func precedes(_ a: Key, _ b: Key) -> Bool {
        if a.prefix != b.prefix { return a.prefix < b.prefix }
        let common = min(a.count, b.count)
        var i = 0
        while i < common {
            let x = a.bytes[i], y = b.bytes[i]
            if x != y { return x < y }
            i += 1
        }
        return a.count < b.count
    }

    /// Objects are small: an insertion sort, inlined, beats the library's
    /// sort and its comparison closure.
    @inline(__always) private static func insertionSort(_ keys: UnsafeMutableBufferPointer<Key>) {
        var k = 1
        while k < keys.count {
            let key = keys[k]
            var j = k
            while j > 0 && precedes(key, keys[j - 1]) {
                keys[j] = keys[j - 1]
                j -= 1
            }
            keys[j] = key
            k += 1
        }
    }

    let L: OpaquePointer
    /// Stack indices of the array mark metatable and of the scratch table.
    let arrayMark: Int32
    let scratch: Int32
    var output: JSONOutput
    /// The refused value's path, innermost step first.
    private(set) var path: [PathStep] = []
    private var scratchTop: Int32 = 0
    /// The highest scratch slot used, cleared at the end so the scratch
    /// table keeps none of the encoded values alive.
    private var scratchHighWater: Int32 = 0
    /// Stack index of the value a refusal is about (a key or a value).
    private(set) var offender: Int32 = 0

    init(L: OpaquePointer, arrayMark: Int32, scratch: Int32, output: JSONOutput) {
        self.output = output
        self.L = L
        self.arrayMark = arrayMark
        self.scratch = scratch
    }

    /// Frees the output and empties the scratch slots used.
    mutating func finish() {
        output.release()
        var slot: Int32 = 1
        while slot <= scratchHighWater {
            lua_pushnil(L)
            lua_rawseti(L, scratch, slot)
            slot += 1
        }
    }

    private mutating func refuse(_ why: JSONEncodeRefusal, at i: Int32) -> JSONEncodeRefusal {
        offender = i
        return why
    }

    mutating func encode(_ i: Int32, depth: Int) throws(JSONEncodeRefusal) {
        try encode(i, depth: depth, parent: nil)
    }

    private mutating func encode(_ i: Int32, depth: Int, parent: UnsafePointer<Ancestor>?) throws(JSONEncodeRefusal) {
        switch lua_type(L, i) {
        case LUA_TSTRING:
            var n = 0
            let p = lua_tolstring(L, i, &n)!
            output.appendString(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), n)
        case LUA_TNUMBER:
            let x = lua_tonumber(L, i)
            guard x.isFinite else { throw refuse(.number, at: i) }
            output.appendNumber(x)
        case LUA_TBOOLEAN:
            if lua_toboolean(L, i) != 0 { output.append("true") } else { output.append("false") }
        case LUA_TTABLE:
            try encodeTable(i, depth: depth, parent: parent)
        case LUA_TNIL, LUA_TNONE:
            output.append("null")
        case LUA_TLIGHTUSERDATA where lua_touserdata(L, i) == UnsafeMutableRawPointer(mutating: Sentinel.null):
            output.append("null")
        default:
            throw refuse(.type, at: i)
        }
    }

    /// Whether the table at `t` may be encoded and is marked as an array:
    /// no metatable, or one whose `__metatable` is 'json array' (what
    /// `getmetatable` shows of the mark).
    private mutating func isMarked(_ t: Int32) throws(JSONEncodeRefusal) -> Bool {
        guard lua_getmetatable(L, t) != 0 else { return false }
        defer { mb_pop(L, 1) }
        if lua_rawequal(L, -1, arrayMark) != 0 { return true }
        lua_pushstring(L, "__metatable")
        lua_rawget(L, -2)
        defer { mb_pop(L, 1) }
        var n = 0
        if lua_type(L, -1) == LUA_TSTRING, let p = lua_tolstring(L, -1, &n), n == 10,
           memcmp(p, "json array", 10) == 0 {
            return true
        }
        throw refuse(.metatable, at: t)
    }

    private mutating func encodeTable(_ t: Int32, depth: Int, parent: UnsafePointer<Ancestor>?) throws(JSONEncodeRefusal) {
        let identity = lua_topointer(L, t)!
        var ancestor = parent
        while let a = ancestor {
            if a.pointee.identity == identity { throw refuse(.cycle, at: t) }
            ancestor = a.pointee.parent
        }
        if depth >= JSONEncoding.maxDepth { throw refuse(.depth, at: t) }
        let marked = try isMarked(t)
        guard lua_checkstack(L, 4) != 0 else { throw refuse(.depth, at: t) }
        let n = Int(lua_objlen(L, t))
        // One pass over the pairs: every key checked before any value is
        // written (the first bad key in `pairs` order is the one named).
        // String keys stay on the stack with their values, pair after pair,
        // while the stack keeps room for 1000 more levels of one slot each.
        // (The top and the free slots are counted here: no call per pair.)
        let stackBase = lua_gettop(L)
        var top = stackBase  // below the pair lua_next pushes
        var free: Int32 = 0  // slots known free above that pair
        var pairsOnStack = true
        var count = 0
        var strings = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            count += 1
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                strings += 1
                if pairsOnStack && free < 4 {
                    if top + 64 < 6000 && lua_checkstack(L, 64) != 0 { free = 64 } else { pairsOnStack = false }
                }
                if pairsOnStack {
                    lua_pushvalue(L, -2)  // the key again, for lua_next; this pair stays
                    top += 2
                    free -= 2
                    continue
                }
            case LUA_TNUMBER:
                let k = lua_tonumber(L, -2)
                if k >= 1 && k <= Double(n) && Double(Int(k)) == k { break }  // (no call to floor)
                fallthrough
            default:
                throw refuse(.key, at: lua_gettop(L) - 1)
            }
            mb_pop(L, 1)
        }
        if strings > 0 && n > 0 { throw refuse(.mixed, at: t) }
        if count != n && strings == 0 { throw refuse(.sparse, at: t) }
        var me = Ancestor(identity: identity, parent: parent)
        try withUnsafePointer(to: &me) { (me) throws(JSONEncodeRefusal) in
            if n > 0 || (count == 0 && marked) {
                try encodeArray(t, n, itemAt: stackBase + 1, depth: depth, me)
            } else {
                try encodeObject(t, count, pairsAt: pairsOnStack ? stackBase + 1 : nil, depth: depth, me)
            }
        }
        if top != stackBase { lua_settop(L, stackBase) }  // the pairs kept on the stack
    }

    /// Items one at a time at `itemAt`, the free slot above the table's frame.
    private mutating func encodeArray(_ t: Int32, _ n: Int, itemAt: Int32, depth: Int,
                                      _ me: UnsafePointer<Ancestor>) throws(JSONEncodeRefusal) {
        output.append(0x5B)
        var i = 1
        while i <= n {
            if i > 1 { output.append(0x2C) }
            lua_rawgeti(L, t, Int32(i))
            do throws(JSONEncodeRefusal) {
                try encode(itemAt, depth: depth + 1, parent: me)
            } catch {
                path.append(.index(i))
                throw error
            }
            mb_pop(L, 1)
            i += 1
        }
        output.append(0x5D)
    }

    /// Keys sorted by bytes. The values wait on the Lua stack where the pass
    /// over the pairs left them (`pairsAt`: key, value, key, value...), or,
    /// for a large object or a deep stack, in the scratch table (read back by index).
    private mutating func encodeObject(_ t: Int32, _ count: Int, pairsAt: Int32?, depth: Int,
                                       _ me: UnsafePointer<Ancestor>) throws(JSONEncodeRefusal) {
        let onStack = pairsAt != nil
        let failure: JSONEncodeRefusal? = withUnsafeTemporaryAllocation(of: Key.self, capacity: max(count, 1)) { keys in
            let base = scratchTop
            if let first = pairsAt {
                for k in 0..<count {
                    var length = 0
                    let at = first + Int32(2 * k)
                    let p = lua_tolstring(L, at, &length)!
                    keys.initializeElement(at: k, to: Key(bytes: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self),
                                                          count: length, slot: at + 1))
                }
            } else {
                var k = 0
                lua_pushnil(L)
                while lua_next(L, t) != 0 {
                    var length = 0
                    let p = lua_tolstring(L, -2, &length)!
                    let slot = base + Int32(k) + 1
                    lua_rawseti(L, scratch, slot)  // pops the value
                    keys.initializeElement(at: k, to: Key(bytes: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self),
                                                          count: length, slot: slot))
                    k += 1
                }
                scratchTop = base + Int32(count)
                scratchHighWater = max(scratchHighWater, scratchTop)
            }
            defer { scratchTop = base }
            var sorted = UnsafeMutableBufferPointer(rebasing: keys[0..<count])
            if count > 24 {
                sorted.sort(by: JSONEncoding.precedes)
            } else {
                JSONEncoding.insertionSort(sorted)
            }
            output.append(0x7B)
            for k in 0..<count {
                let key = sorted[k]
                if k > 0 { output.append(0x2C) }
                output.appendString(key.bytes, key.count)
                output.append(0x3A)
                if !onStack { lua_rawgeti(L, scratch, key.slot) }
                do throws(JSONEncodeRefusal) {
                    try encode(onStack ? key.slot : lua_gettop(L), depth: depth + 1, parent: me)
                } catch {
                    path.append(.key(key.bytes, key.count))
                    return error
                }
                if !onStack { mb_pop(L, 1) }
            }
            output.append(0x7D)
            return nil
        }
        if let failure { throw failure }
    }
}

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

    /// One step from the root to the value being written, kept cheap: an
    /// error builds the path from these only when it has to name it.
    enum PathStep {
        case index(Int)
        case key(UnsafePointer<UInt8>, Int)
    }

    /// A string key of the object being written; `slot` holds its value in
    /// the scratch table. The bytes stay valid: the table keeps the key alive.
    private struct Key {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        let slot: Int32
    }

    let L: OpaquePointer
    /// Stack indices of the array mark metatable and of the scratch table.
    let arrayMark: Int32
    let scratch: Int32
    var output = JSONOutput()
    var path: [PathStep] = []
    /// Tables on the current path, to refuse cycles.
    private var open: [UnsafeRawPointer] = []
    private var keys: [Key] = []
    private var scratchTop: Int32 = 0
    /// The highest scratch slot used, cleared at the end so the scratch
    /// table keeps none of the encoded values alive.
    private var scratchHighWater: Int32 = 0
    /// Stack index of the value a refusal is about (a key or a value).
    private(set) var offender: Int32 = 0

    init(L: OpaquePointer, arrayMark: Int32, scratch: Int32) {
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
            try encodeTable(i, depth: depth)
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

    private mutating func encodeTable(_ t: Int32, depth: Int) throws(JSONEncodeRefusal) {
        let identity = lua_topointer(L, t)!
        if open.contains(identity) { throw refuse(.cycle, at: t) }
        if depth >= JSONEncoding.maxDepth { throw refuse(.depth, at: t) }
        let marked = try isMarked(t)
        guard lua_checkstack(L, 4) != 0 else { throw refuse(.depth, at: t) }
        open.append(identity)
        let n = Int(lua_objlen(L, t))
        let keysBase = keys.count
        let scratchBase = scratchTop
        // One pass over the pairs: every key checked before any value is
        // written (the first bad key in `pairs` order is the one named).
        var count = 0
        var strings = false
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            count += 1
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                strings = true
                var length = 0
                let p = lua_tolstring(L, -2, &length)!
                scratchTop += 1
                lua_rawseti(L, scratch, scratchTop)  // pops the value
                keys.append(Key(bytes: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self),
                                count: length, slot: scratchTop))
                continue
            case LUA_TNUMBER:
                let k = lua_tonumber(L, -2)
                if k == k.rounded(.down) && k >= 1 && k <= Double(n) { break }
                fallthrough
            default:
                throw refuse(.key, at: lua_gettop(L) - 1)
            }
            mb_pop(L, 1)
        }
        scratchHighWater = max(scratchHighWater, scratchTop)
        if strings && n > 0 { throw refuse(.mixed, at: t) }
        if count != n && !strings { throw refuse(.sparse, at: t) }
        if n > 0 || (count == 0 && marked) {
            try encodeArray(t, n, depth: depth)
        } else {
            try encodeObject(from: keysBase, depth: depth)
        }
        keys.removeSubrange(keysBase...)
        scratchTop = scratchBase
        open.removeLast()
    }

    private mutating func encodeArray(_ t: Int32, _ n: Int, depth: Int) throws(JSONEncodeRefusal) {
        output.append(0x5B)
        var i = 1
        while i <= n {
            if i > 1 { output.append(0x2C) }
            lua_rawgeti(L, t, Int32(i))
            path.append(.index(i))
            try encode(lua_gettop(L), depth: depth + 1)
            path.removeLast()
            mb_pop(L, 1)
            i += 1
        }
        output.append(0x5D)
    }

    private mutating func encodeObject(from keysBase: Int, depth: Int) throws(JSONEncodeRefusal) {
        keys[keysBase...].sort { a, b in
            let c = memcmp(a.bytes, b.bytes, min(a.count, b.count))
            return c != 0 ? c < 0 : a.count < b.count
        }
        output.append(0x7B)
        for k in keysBase..<keys.count {
            let key = keys[k]
            if k > keysBase { output.append(0x2C) }
            output.appendString(key.bytes, key.count)
            output.append(0x3A)
            lua_rawgeti(L, scratch, key.slot)
            path.append(.key(key.bytes, key.count))
            try encode(lua_gettop(L), depth: depth + 1)
            path.removeLast()
            mb_pop(L, 1)
        }
        output.append(0x7D)
    }
}

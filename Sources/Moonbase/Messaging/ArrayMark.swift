import CLuaJIT
import CMoonbaseShim

extension VM {
    /// Pushes this VM's JSON array mark (a metatable `{ __metatable = 'json array' }`),
    /// made at first use by `json` or by a message carrying a marked array.
    func pushArrayMark(onto lua: LuaState) {
        if let ref = metatables[MessageCodec.arrayMark] {
            lua_rawgeti(lua.L, mb_registryindex(), ref)
            return
        }
        lua_createtable(lua.L, 0, 1)
        lua.push("json array")
        lua.rawSetField(-2, "__metatable")
        registerMetatable(MessageCodec.arrayMark, at: -1, on: lua)
    }
}

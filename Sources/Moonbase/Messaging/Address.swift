import CLuaJIT
import CMoonbaseShim

/// Lua handles on mailboxes: an actor's address (`send`, `monitor`, `==`),
/// and the VM's own `inbox` (also usable as its address when sent).
///
/// The userdata block holds a retained mailbox pointer and whether this handle
/// counts as a reference that keeps the actor reachable (handles inside the
/// actor's own VM do not).
enum Address {
    static let metatable = MetatableName("moonbase.address")
    static let inboxMetatable = MetatableName("moonbase.inbox")

    private struct Block {
        var mailbox: UnsafeMutableRawPointer
        var counted: Bool
    }

    /// Pushes an address of `mailbox` onto `lua` (a VM's stack).
    static func push(_ mailbox: Mailbox, onto lua: LuaState, vm: VM, metatable name: MetatableName = metatable) {
        let counted = mailbox !== vm.mailbox
        if counted { mailbox.retainReference() }
        let p = lua_newuserdata(lua.L, MemoryLayout<Block>.size)!
        p.initializeMemory(as: Block.self, repeating: Block(
            mailbox: Unmanaged.passRetained(mailbox).toOpaque(), counted: counted), count: 1)
        lua_rawgeti(lua.L, mb_registryindex(), vm.metatables[name]!)
        lua_setmetatable(lua.L, -2)
    }

    /// The mailbox of an address or inbox at `i`, if it is one.
    static func mailbox(_ lua: LuaState, _ i: Int32, _ vm: VM) -> Mailbox? {
        guard let p = vm.userdata(lua, i, metatable) ?? vm.userdata(lua, i, inboxMetatable) else { return nil }
        return Unmanaged<Mailbox>.fromOpaque(p.load(as: Block.self).mailbox).takeUnretainedValue()
    }

    /// __gc: give back the reference and the retain.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            guard let p = lua_touserdata(lua.L, 1) else { return 0 }
            let block = p.load(as: Block.self)
            let mailbox = Unmanaged<Mailbox>.fromOpaque(block.mailbox).takeRetainedValue()
            if block.counted { mailbox.releaseReference() }
            return 0
        }
    }

    /// __eq: two handles on the same mailbox.
    static let equal: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            lua.push(mailbox(lua, 1, vm) === mailbox(lua, 2, vm) && mailbox(lua, 1, vm) != nil)
            return 1
        }
    }

    static let describe: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let m = mailbox(lua, 1, vm) else { return 0 }
            lua.push("address: \(UInt(bitPattern: ObjectIdentifier(m).hashValue))")
            return 1
        }
    }
}

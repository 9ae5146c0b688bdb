import CLuaJIT

/// Lua handles on mailboxes: an actor's address (`send`, `monitor`, `==`),
/// and the VM's own `inbox` (also usable as its address when sent).
///
/// Each is a `UserdataBox` holding the mailbox; its tag says whether this
/// handle counts as a reference that keeps the actor reachable (handles
/// inside the actor's own VM do not).
enum Address {
    static let metatable = MetatableName("moonbase.address")
    static let inboxMetatable = MetatableName("moonbase.inbox")

    /// Pushes an address of `mailbox` onto `lua` (a VM's stack).
    static func push(_ mailbox: Mailbox, onto lua: LuaState, vm: VM, metatable name: MetatableName = metatable) {
        let counted = mailbox !== vm.mailbox
        if counted { mailbox.retainReference() }
        vm.pushBoxed(mailbox, name, tag: counted ? 1 : 0, onto: lua)
    }

    /// The mailbox of an address or inbox at `i`, if it is one.
    static func mailbox(_ lua: LuaState, _ i: Int32, _ vm: VM) -> Mailbox? {
        vm.boxed(lua, i, metatable, as: Mailbox.self) ?? vm.boxed(lua, i, inboxMetatable, as: Mailbox.self)
    }

    /// Whether the value at `i` is an address handle that was closed.
    static func isClosed(_ lua: LuaState, _ i: Int32, _ vm: VM) -> Bool {
        guard let box = vm.box(lua, i, metatable) else { return false }
        return box.object == nil
    }

    /// address:close(): drops this handle (its reference too: the actor may
    /// then find nobody able to send to it); later sends raise `Channel closed`.
    static let close: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard vm.box(lua, 1, metatable) != nil else {
                throw .badArgument("address:close", 1, "address", expected: "address", got: lua.typeName(at: 1))
            }
            if let (mailbox, counted) = vm.takeBoxed(lua, 1, metatable, as: Mailbox.self), counted == 1 {
                mailbox.releaseReference()
            }
            return 0
        }
    }

    /// Makes this VM's address and inbox metatables (Lua adds the methods).
    static func makeMetatables(_ vm: VM, into internals: Int32) {
        let lua = LuaState(vm.L)
        let functions: [(String, LuaFunction)] = [("__gc", collect), ("__eq", equal), ("__tostring", describe)]
        vm.makeMetatable(metatable, functions)
        lua.rawSetField(internals, "address_metatable")
        vm.makeMetatable(inboxMetatable, functions)
        lua.rawSetField(internals, "inbox_metatable")
    }

    /// __gc: give back the reference and the retain.
    static let collect: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            if let (mailbox, counted) = VM.from(lua).takeBoxed(lua, 1, metatable, inboxMetatable, as: Mailbox.self), counted == 1 {
                mailbox.releaseReference()
            }
            return 0
        }
    }

    /// __eq: two handles on the same mailbox.
    static let equal: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let a = mailbox(lua, 1, vm)
            lua.push(a != nil && a === mailbox(lua, 2, vm))
            return 1
        }
    }

    static let describe: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let m = mailbox(lua, 1, vm) else {
                lua.push("address: closed")
                return 1
            }
            lua.push("address: \(UInt(bitPattern: ObjectIdentifier(m).hashValue))")
            return 1
        }
    }
}

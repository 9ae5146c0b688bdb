import CLuaJIT
import Synchronization  // Atomic (round-robin placement)

/// `spawn_vm`, addresses (`send`, `monitor`) and `require 'inbox'`.
enum ActorsModule {
    /// Loaded by every VM at start: defines `spawn_vm` and the address and
    /// inbox methods; `require 'inbox'` gives the VM's inbox.
    static let definition = LuaModule(name: "inbox", lua: "inbox", loadAtStart: true, install: install)

    /// At VM creation: the VM's actor state (a new inbox unless the spawner
    /// made one), and the Swift functions of the Lua half in `rt`.
    static func install(_ vm: VM, into internals: Int32) {
        if vm.attachment == nil {
            vm.attachment = ActorState(mailbox: Mailbox(
                worker: vm.worker, capacity: vm.runtime.options.inboxCapacity, shared: false))
        }
        vm.mailbox.ownerID = vm.id
        let lua = LuaState(vm.L)
        vm.setFunction(internals, "spawn_vm", spawnVM)
        vm.setFunction(internals, "send", send)
        vm.setFunction(internals, "monitor", monitor)
        vm.setFunction(internals, "try_receive", tryReceive)
        vm.setFunction(internals, "wait_message", waitMessage)
        vm.setFunction(internals, "close_inbox", closeInbox)
        vm.setFunction(internals, "close_address", Address.close)
        Address.makeMetatables(vm, into: internals)
        Address.push(vm.mailbox, onto: lua, vm: vm, metatable: Address.inboxMetatable)
        lua.rawSetField(internals, "inbox")
    }

    private static let roundRobin = Atomic<Int>(0)

    // spawn_vm(path, opts) -> address; the Lua wrapper resolved the module.
    static let spawnVM: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let runtime = vm.runtime
            let path = try lua.checkString(1, "spawn_vm", "module")
            var worker: Worker
            var capacity = runtime.options.inboxCapacity
            var monitor = false
            let workers = runtime.workers
            worker = workers[roundRobin.wrappingAdd(1, ordering: .relaxed).oldValue % workers.count]
            if try lua.optTable(2, "spawn_vm", "opts") {
                if let t = try lua.field(2, "thread", { i throws(LuaError) in try lua.optInteger(i, "spawn_vm", "opts.thread", argument: 2) }) {
                    guard t >= 1 && t <= workers.count else {
                        throw LuaError("spawn_vm: opts.thread must be between 1 and \(workers.count), got \(t)")
                    }
                    worker = workers[t - 1]
                }
                if try lua.field(2, "inherit_context", { i in lua.toBoolean(i) }) == true { worker = vm.worker }
                if let c = try lua.field(2, "inbox_capacity", { i throws(LuaError) in try lua.optInteger(i, "spawn_vm", "opts.inbox_capacity", argument: 2) }) {
                    guard c >= 0 else { throw LuaError("spawn_vm: opts.inbox_capacity must be >= 0, got \(c)") }
                    capacity = c
                }
                monitor = try lua.field(2, "monitor", { i in lua.toBoolean(i) }) ?? false
            }
            // The new actor's Lua state is made here, so running out of
            // memory raises in the caller instead of ending the process;
            // it is touched by no one until its worker starts the VM.
            guard let state = luaL_newstate() else { throw LuaError("spawn_vm: not enough memory") }
            let mailbox = Mailbox(worker: worker, capacity: capacity, shared: true)
            if monitor { mailbox.addWatcher(vm.mailbox) }
            // The caller's address counts as a reference before the actor
            // starts: else an actor that begins by receiving could find
            // nobody able to send to it and end at once.
            Address.push(mailbox, onto: lua, vm: vm)
            runtime.vmStarting()
            if worker === vm.worker {
                // As Emilua: the new actor's main fiber is queued now, so it
                // runs before the spawner's next yield returns.
                runtime.startVM(on: worker, context: "worker", attachment: ActorState(mailbox: mailbox),
                                path: path, state: state)
                return 1
            }
            let start = ActorStart(path: path, mailbox: mailbox, state: state)
            worker.post { worker in
                worker.runtime.startVM(on: worker, context: "worker",
                                       attachment: ActorState(mailbox: start.mailbox), path: start.path,
                                       state: start.state)
            }
            return 1
        }
    }

    // send(address, msg) -> true | nil, "dead" | "closed"; suspending when full.
    static let send: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let target = Address.mailbox(lua, 1, vm) else {
                if Address.isClosed(lua, 1, vm) { throw LuaError("address:send: Channel closed (the address was closed)") }
                throw .badArgument("address:send", 1, "address", expected: "address", got: lua.typeName(at: 1))
            }
            let fiber = try vm.suspendingFiber("address:send")
            if let n = fiber.takeInterruption(lua) { return n }
            let message = try MessageCodec.encode(lua, 2, vm: vm, function: "address:send")
            if message.addresses.contains(where: { $0 === vm.mailbox }) { vm.mailbox.markShared() }
            for m in message.addresses { m.retainReference() }  // held while in flight
            switch target.offer(message, sender: FiberWaker(fiber: fiber, serial: fiber.waitSerial &+ 1)) {
            case .delivered:
                lua.push(true)
                return 1
            case .refused(let reason):
                lua.pushNil()
                lua.push(reason)
                return 2
            case .waiting(let ticket):
                fiber.suspend(on: SendWait(mailbox: target, ticket: ticket), external: true)
                return vm.yield(lua)
            }
        }
    }

    // monitor(address): a {event='down', from=, reason=} message when it ends.
    static let monitor: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            guard let target = Address.mailbox(lua, 1, vm) else {
                throw .badArgument("address:monitor", 1, "address", expected: "address", got: lua.typeName(at: 1))
            }
            if target === vm.mailbox { throw LuaError("address:monitor: an actor cannot monitor itself") }
            target.addWatcher(vm.mailbox)
            return 0
        }
    }

    // try_receive() -> true, msg | false; raises when the inbox is closed.
    static let tryReceive: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            // A suspension point even with a message queued (forbid_suspend).
            if let me = vm.currentFiber, me.suspendForbidden != 0 { throw VM.suspensionForbidden("inbox:receive") }
            switch vm.mailbox.take() {
            case .message(let m):
                lua.push(true)
                MessageCodec.decode(m, onto: lua, vm: vm)
                m.releaseAddresses()
                return 2
            case .closed:
                throw LuaError("Channel closed")
            case .noSenders:
                throw LuaError(VM.noSendersMessage)
            case .empty:
                lua.push(false)
                return 1
            }
        }
    }

    // wait_message(): suspends until the inbox may have a message; suspending.
    static let waitMessage: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let vm = VM.from(lua)
            let fiber = try vm.suspendingFiber("inbox:receive")
            if let n = fiber.takeInterruption(lua) { return n }
            if vm.mailbox.hasReceiver { throw LuaError("inbox:receive: Device or resource busy (another fiber is receiving)") }
            guard vm.mailbox.waitForMessage(FiberWaker(fiber: fiber, serial: fiber.waitSerial &+ 1)) else {
                return 0
            }
            fiber.suspend(on: ReceiveWait(mailbox: vm.mailbox), external: false)
            return vm.yield(lua)
        }
    }

    static let closeInbox: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            VM.from(lua).mailbox.close()
            return 0
        }
    }
}

/// What a new actor needs, carried to its worker.
struct ActorStart: @unchecked Sendable {
    let path: String
    let mailbox: Mailbox
    let state: OpaquePointer
}

/// A fiber whose message waits in a full inbox.
private final class SendWait: FiberWait {
    let mailbox: Mailbox
    let ticket: UInt64
    init(mailbox: Mailbox, ticket: UInt64) { self.mailbox = mailbox; self.ticket = ticket }
    func cancelWait(of fiber: Fiber) { _ = mailbox.withdraw(ticket: ticket) }
    func tryCancelWait(of fiber: Fiber) -> Bool { mailbox.withdraw(ticket: ticket) }
    func describeWait(of fiber: Fiber) -> String { "address:send (inbox full)" }
}

/// A fiber waiting in `inbox:receive`.
private final class ReceiveWait: FiberWait {
    let mailbox: Mailbox
    init(mailbox: Mailbox) { self.mailbox = mailbox }
    func cancelWait(of fiber: Fiber) { mailbox.cancelReceive() }
    func describeWait(of fiber: Fiber) -> String { "inbox:receive" }
    /// No address left to send with: the actor's normal end.
    var isDeadlockWhenStuck: Bool { false }
}

import DequeModule

/// The inbox of one actor, shared by every thread that holds its address.
///
/// All mutable state sits under one lock, held only for queue operations (no
/// Lua, no I/O). Fibers are woken on their own worker: directly when the waker
/// runs there, else through `Worker.post`.
final class Mailbox: @unchecked Sendable {
    let worker: Worker
    let capacity: Int
    /// The id of the VM reading this inbox (in `worker.vms`): set and read on
    /// `worker`'s thread only. An id, not a reference: a weak reference would
    /// give every VM a side table and slow each of its retains.
    var ownerID = 0
    private let state: Locked<State>

    enum Status { case open, closed, dead }
    enum Offer { case delivered, refused(String), waiting(ticket: UInt64) }
    /// `noSenders`: empty, and no address is left to send with (Emilua's
    /// "Broadcast the address before attempting to receive on it").
    enum Take { case message(Message), empty, closed, noSenders }

    fileprivate struct State {
        var queue = Deque<Message>()
        var blockedSenders = Deque<BlockedSender>()
        var receiver: FiberWaker?
        /// A sender took `receiver` to wake it, and the wake-up may still be
        /// on its way to the owner's thread: the VM is not stuck meanwhile.
        var receiverWakePending = false
        var status = Status.open
        /// Addresses held outside the owner VM, messages in flight carrying
        /// the address, and monitors: while > 0, someone may still send.
        var references = 0
        var everShared = false
        var watchers: [Mailbox] = []
        var nextTicket: UInt64 = 1
    }

    fileprivate struct BlockedSender {
        let message: Message
        let waker: FiberWaker
        let ticket: UInt64
    }

    init(worker: Worker, capacity: Int, shared: Bool) {
        self.worker = worker
        self.capacity = capacity
        var s = State()
        s.everShared = shared
        state = Locked(s)
    }

    // MARK: Reachability

    func retainReference() { state.withLock { $0.references += 1 } }

    /// Drops one reference; when none is left, a fiber waiting in `receive`
    /// wakes (to raise: nothing can arrive) and the owner checks whether its
    /// VM can still make progress.
    func releaseReference() {
        var receiver: FiberWaker?
        let last = state.withLock { s -> Bool in
            s.references -= 1
            guard s.references == 0 && s.status == .open else { return false }
            if s.queue.isEmpty && s.blockedSenders.isEmpty { receiver = s.takeReceiver() }
            return true
        }
        receiver?.wake { _ in 0 }
        if last {
            worker.post { worker in worker.vms[self.ownerID]?.endIfStuck() }
        }
    }

    func markShared() { state.withLock { $0.everShared = true } }

    /// Whether a fiber is being woken from `receive`, or waits there and may
    /// still get something: then its VM is not stuck.
    var mayWakeReceiver: Bool {
        state.withLock { s in
            s.receiverWakePending
                || (s.receiver != nil && (s.references > 0 || !s.queue.isEmpty || !s.blockedSenders.isEmpty))
        }
    }

    // MARK: Sending (any thread)

    /// Offers `message`; `sender` is the fiber that waits if the inbox is full
    /// (or for a receiver, at capacity 0).
    func offer(_ message: Message, sender: FiberWaker) -> Offer {
        var wake: FiberWaker?
        let result = state.withLock { s -> Offer in
            switch s.status {
            case .dead: return .refused("dead")
            case .closed: return .refused("closed")
            case .open: break
            }
            if s.queue.count < capacity {
                s.queue.append(message)
                wake = s.takeReceiver()
                return .delivered
            }
            let ticket = s.nextTicket
            s.nextTicket += 1
            s.blockedSenders.append(BlockedSender(message: message, waker: sender, ticket: ticket))
            wake = s.takeReceiver()
            return .waiting(ticket: ticket)
        }
        if case .refused = result { message.releaseAddresses() }
        wake?.wake { _ in 0 }
        return result
    }

    /// Delivers a runtime message (a monitor's 'down'), regardless of capacity.
    func deliverSystem(_ message: Message) {
        var wake: FiberWaker?
        let accepted = state.withLock { s -> Bool in
            guard s.status == .open else { return false }
            s.queue.append(message)
            wake = s.takeReceiver()
            return true
        }
        if !accepted { message.releaseAddresses() }
        wake?.wake { _ in 0 }
    }

    /// Withdraws a blocked send (interruption). False if a receiver already
    /// took the message: then the send completes and is not interrupted.
    func withdraw(ticket: UInt64) -> Bool {
        let removed = state.withLock { s -> Message? in
            guard let i = s.blockedSenders.firstIndex(where: { $0.ticket == ticket }) else { return nil }
            return s.blockedSenders.remove(at: i).message
        }
        removed?.releaseAddresses()
        return removed != nil
    }

    // MARK: Receiving (owner thread)

    func take() -> Take {
        var wakeSender: FiberWaker?
        let result = state.withLock { s -> Take in
            s.receiverWakePending = false
            if let m = s.queue.popFirst() {
                if let blocked = s.blockedSenders.popFirst() {
                    s.queue.append(blocked.message)
                    wakeSender = blocked.waker
                }
                return .message(m)
            }
            if let blocked = s.blockedSenders.popFirst() {  // capacity 0: hand-over
                wakeSender = blocked.waker
                return .message(blocked.message)
            }
            if s.status != .open { return .closed }
            return s.references > 0 && s.everShared ? .empty : .noSenders
        }
        wakeSender?.wake(batched: true) { lua in lua.push(true); return 1 }
        return result
    }

    /// Registers the receiving fiber; false if something arrived meanwhile.
    func waitForMessage(_ receiver: FiberWaker) -> Bool {
        state.withLock { s in
            s.receiverWakePending = false
            guard s.queue.isEmpty, s.blockedSenders.isEmpty, s.status == .open, s.references > 0 else { return false }
            s.receiver = receiver
            return true
        }
    }

    /// A fiber waits in `receive` (a second one would be busy).
    var hasReceiver: Bool { state.withLock { $0.receiver != nil } }

    func cancelReceive() {
        state.withLock {
            $0.receiver = nil
            $0.receiverWakePending = false
        }
    }

    /// Sends and receives fail from now on; queued messages are dropped.
    func close() { shutDown(.closed, reason: nil, from: nil) }

    // MARK: Monitors and the end

    /// Asks for a 'down' message in `watcher` when this actor ends.
    func addWatcher(_ watcher: Mailbox) {
        watcher.retainReference()
        watcher.markShared()
        let dead = state.withLock { s -> Bool in
            if s.status == .dead { return true }
            s.watchers.append(watcher)
            return false
        }
        if dead {
            watcher.deliverSystem(MessageCodec.downMessage(from: self, reason: "dead"))
            watcher.releaseReference()
        }
    }

    /// The actor ended: refuse further sends, drop what is queued, release
    /// blocked senders with "dead", and tell the watchers.
    func actorEnded(reason: String) { shutDown(.dead, reason: reason, from: self) }

    private func shutDown(_ status: Status, reason: String?, from: Mailbox?) {
        var receiver: FiberWaker?
        let (queued, blocked, watchers) = state.withLock { s -> ([Message], [BlockedSender], [Mailbox]) in
            if s.status == .dead { return ([], [], []) }
            s.status = status
            // Closed by its owner: a fiber waiting in receive wakes and raises
            // "Channel closed" (Emilua). An ended VM has nobody to wake.
            if status == .closed { receiver = s.receiver }
            s.receiver = nil
            // (Empty collections are not converted: copying an empty Deque
            // touches the shared empty-array storage, which TSan flags.)
            let taken = (s.queue.isEmpty ? [] : Array(s.queue),
                         s.blockedSenders.isEmpty ? [] : Array(s.blockedSenders),
                         status == .dead ? s.watchers : [])
            s.queue.removeAll()
            s.blockedSenders.removeAll()
            if status == .dead { s.watchers.removeAll() }
            return taken
        }
        receiver?.wake { _ in 0 }
        for m in queued { m.releaseAddresses() }
        for b in blocked {
            b.message.releaseAddresses()
            b.waker.wake { lua in lua.pushNil(); lua.push("dead"); return 2 }
        }
        if let reason {
            for w in watchers {
                w.deliverSystem(MessageCodec.downMessage(from: self, reason: reason))
                w.releaseReference()
            }
        }
    }
}

/// A suspended fiber and the serial of its wait, woken on its own worker.
struct FiberWaker: @unchecked Sendable {
    let fiber: Fiber
    let serial: UInt64

    /// Wakes the fiber with the values `push` pushes; runs on the fiber's
    /// worker (at once if this is it). A `batched` wake-up of a fiber on
    /// another worker leaves with the caller worker's next batch (see
    /// `Worker.postFromCurrent`): right for senders whose message is already
    /// queued, wrong for a receiver that would sit idle meanwhile.
    func wake(batched: Bool = false, _ push: @escaping @Sendable (LuaState) -> Int32) {
        let worker = fiber.vm.worker
        if worker.isCurrentThread {
            fiber.wake(serial: serial, push)
        } else {
            let me = self
            let job: Worker.Job = { _ in me.fiber.wake(serial: me.serial, push) }
            if batched { Worker.postFromCurrent(to: worker, job) } else { worker.post(job) }
        }
    }
}

private extension Mailbox.State {
    mutating func takeReceiver() -> FiberWaker? {
        guard let r = receiver else { return nil }
        receiver = nil
        receiverWakePending = true
        return r
    }
}

extension Message {
    /// Gives back the references the message held on the addresses inside it.
    func releaseAddresses() {
        for mailbox in addresses { mailbox.releaseReference() }
    }
}

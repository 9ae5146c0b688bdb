@testable import Moonbase
import Testing

/// The inbox's queue rules, without threads: capacity, close, death, and the
/// reachability count that decides whether a receiver may still be woken.
@Suite(.serialized) struct MailboxTests {
    private func message(_ byte: UInt8) -> Message { Message(bytes: MessageBytes([byte])!, addresses: []) }

    private func firstByte(_ take: Mailbox.Take) -> UInt8? {
        guard case .message(let m) = take else { return nil }
        return m.bytes.withUnsafeBytes { $0.first }
    }

    private func sender(_ t: TestVM) -> FiberWaker {
        #expect(t.eval("return function() end"))
        let fiber = t.vm.spawnFiber(from: t.vm.L, nargs: 0)
        return FiberWaker(fiber: fiber, serial: 1)
    }

    @Test func deliversInOrderUpToCapacityThenMakesSendersWait() {
        let t = TestVM()
        let box = Mailbox(worker: t.vm.worker, capacity: 2, shared: true)
        box.retainReference()  // an address held elsewhere: empty means "wait"
        let waker = sender(t)
        for i: UInt8 in 1...2 {
            guard case .delivered = box.offer(message(i), sender: waker) else { Issue.record("not delivered"); return }
        }
        guard case .waiting = box.offer(message(3), sender: waker) else { Issue.record("third did not wait"); return }
        #expect(firstByte(box.take()) == 1)
        #expect(firstByte(box.take()) == 2)
        #expect(firstByte(box.take()) == 3)  // the blocked sender's message moved into the queue
        guard case .empty = box.take() else { Issue.record("not empty"); return }
    }

    @Test func closedAndDeadRefuseSends() {
        let t = TestVM()
        let waker = sender(t)
        let closed = Mailbox(worker: t.vm.worker, capacity: 4, shared: true)
        closed.close()
        guard case .refused("closed") = closed.offer(message(1), sender: waker) else { Issue.record("closed accepted"); return }
        guard case .closed = closed.take() else { Issue.record("take on closed"); return }
        let dead = Mailbox(worker: t.vm.worker, capacity: 4, shared: true)
        _ = dead.offer(message(1), sender: waker)
        dead.actorEnded(reason: "normal")
        guard case .refused("dead") = dead.offer(message(2), sender: waker) else { Issue.record("dead accepted"); return }
    }

    @Test func withdrawnSendIsGone() {
        let t = TestVM()
        let box = Mailbox(worker: t.vm.worker, capacity: 0, shared: true)
        box.retainReference()
        guard case .waiting(let ticket) = box.offer(message(9), sender: sender(t)) else { Issue.record("no wait"); return }
        #expect(box.withdraw(ticket: ticket))
        #expect(!box.withdraw(ticket: ticket))
        guard case .empty = box.take() else { Issue.record("withdrawn message delivered"); return }
    }

    @Test func receiverMayBeWokenOnlyWhileSomeoneCanSend() {
        let t = TestVM()
        let box = Mailbox(worker: t.vm.worker, capacity: 4, shared: true)
        #expect(!box.mayWakeReceiver)  // nobody receives
        #expect(!box.waitForMessage(sender(t)))  // no reference: nothing can arrive
        guard case .noSenders = box.take() else { Issue.record("no 'Broadcast the address'"); return }
        box.retainReference()
        #expect(box.waitForMessage(sender(t)))
        #expect(box.mayWakeReceiver)
        box.cancelReceive()
        #expect(!box.mayWakeReceiver)
    }

    @Test func lastReferenceGoneWakesTheReceiverToRaise() {
        let t = TestVM()
        let box = Mailbox(worker: t.vm.worker, capacity: 4, shared: true)
        box.retainReference()
        #expect(box.waitForMessage(sender(t)))
        box.releaseReference()
        #expect(box.mayWakeReceiver)  // its wake-up is on the way: not stuck
        guard case .noSenders = box.take() else { Issue.record("no 'Broadcast the address'"); return }
        #expect(!box.mayWakeReceiver)
    }
}

/// The one fiber waiting for an object's next event (data to read, a
/// connection to accept, a datagram, a timer), and the serial of that wait:
/// the one way a module parks a fiber on a handle rather than a request.
///
/// The object owning the slot is the fiber's `FiberWait`; its `cancelWait`
/// calls `cancel(_:)`, so an interrupted fiber is never woken by the event.
struct WaitingFiber {
    private(set) var fiber: Fiber?
    private var serial: UInt64 = 0

    var isEmpty: Bool { fiber == nil }

    /// Suspends `fiber` until `wake`; `wait` cancels it on interruption.
    mutating func park(_ fiber: Fiber, on wait: FiberWait, external: Bool = true) {
        serial = fiber.suspend(on: wait, external: external)
        self.fiber = fiber
    }

    /// Wakes the waiting fiber (if any) with what `push` pushes, and empties the slot.
    @discardableResult
    mutating func wake(_ push: (LuaState) -> Int32) -> Bool {
        guard let f = fiber else { return false }
        fiber = nil
        return f.wake(serial: serial, push)
    }

    /// Forgets `fiber` if it is the one waiting (its wait was given up).
    mutating func cancel(_ fiber: Fiber) {
        if self.fiber === fiber { self.fiber = nil }
    }

    /// Forgets whoever waits, without waking it (the VM is ending).
    mutating func clear() { fiber = nil }
}

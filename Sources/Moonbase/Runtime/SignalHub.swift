import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// The process's signals: TERM, INT, HUP, USR1 and USR2 are watched from the
/// start by worker 0's loop, and each arrival goes to the fibers waiting for
/// it (`signal.wait`, any worker), else is dropped if ignored, else takes its
/// default action: TERM and INT shut down gracefully (`Runtime.shutDown`), the
/// others end the process as the system's default would.
///
/// Waiters register under a lock from their own worker, so a signal sent
/// once `signal.wait` has suspended is never missed.
final class SignalHub: @unchecked Sendable {
    static let supported: [(name: String, number: Int32)] =
        [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP), ("USR1", SIGUSR1), ("USR2", SIGUSR2)]

    static func number(of name: String) -> Int32? { supported.first { $0.name == name }?.number }
    static func name(of number: Int32) -> String { supported.first { $0.number == number }?.name ?? "\(number)" }

    /// What a waiter is given: the name of the signal that arrived.
    typealias Delivery = @Sendable (String) -> Void

    private struct Waiter {
        let signals: [Int32]
        let deliver: Delivery
    }
    private struct State {
        var waiters: [Int: Waiter] = [:]
        var nextToken = 1
        var ignored: Set<Int32> = []
    }
    private let state = Locked(State())
    /// Worker 0's watchers (its thread only).
    private var handles: [UVHandle<uv_signal_t>] = []
    private unowned let runtime: Runtime

    init(runtime: Runtime) {
        self.runtime = runtime
        // A mask inherited from the parent (threads of a test runner, some
        // supervisors) would hold these back from every worker thread.
        var set = sigset_t()
        sigemptyset(&set)
        for (_, number) in SignalHub.supported { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        // A signal ignored when the process started (nohup) stays ignored.
        state.withLock { s in
            for (_, number) in SignalHub.supported {
                var current = sigaction()
                sigaction(number, nil, &current)
                // SIG_IGN is the handler address 1.
                let handler = current.__sigaction_handler.sa_handler
                if let handler, unsafeBitCast(handler, to: Int.self) == 1 { s.ignored.insert(number) }
            }
        }
    }

    /// Starts watching, on worker 0's thread. The watchers keep no loop alive.
    func start(on loop: UnsafeMutablePointer<uv_loop_t>) {
        for (_, number) in SignalHub.supported {
            let handle = UVHandle<uv_signal_t>()
            uv_signal_init(loop, handle.pointer)
            handle.setOwner(self)
            uv_signal_start(handle.pointer, signalArrived, number)
            uv_unref(handle.base)
            handles.append(handle)
        }
    }

    /// Stops watching (worker 0's loop is ending).
    func close() {
        for handle in handles { handle.close() }
        handles.removeAll()
    }

    /// Registers `deliver` for the first of `signals` to arrive; returns the
    /// token that `cancel` takes. Any thread.
    func wait(for signals: [Int32], _ deliver: @escaping Delivery) -> Int {
        state.withLock { s in
            let token = s.nextToken
            s.nextToken += 1
            s.waiters[token] = Waiter(signals: signals, deliver: deliver)
            return token
        }
    }

    func cancel(_ token: Int) { _ = state.withLock { $0.waiters.removeValue(forKey: token) } }

    func setIgnored(_ number: Int32, _ ignored: Bool) {
        state.withLock { s in
            if ignored { s.ignored.insert(number) } else { s.ignored.remove(number) }
        }
    }

    fileprivate func arrived(_ number: Int32) {
        let (deliveries, ignored) = state.withLock { s -> ([Delivery], Bool) in
            let tokens = s.waiters.filter { $0.value.signals.contains(number) }.map(\.key)
            let deliveries = tokens.compactMap { s.waiters.removeValue(forKey: $0)?.deliver }
            return (deliveries, s.ignored.contains(number))
        }
        let name = SignalHub.name(of: number)
        if !deliveries.isEmpty {
            for deliver in deliveries { deliver(name) }
        } else if ignored {
            return
        } else if number == SIGTERM || number == SIGINT {
            runtime.shutDown(signal: number)
        } else {
            // The system's default for the others: the process ends by the signal.
            Runtime.flushOutput()
            signal(number, SIG_DFL)
            raise(number)
        }
    }
}

private let signalArrived: uv_signal_cb = { handle, number in
    UVHandle.owner(of: handle, as: SignalHub.self)?.arrived(number)
}

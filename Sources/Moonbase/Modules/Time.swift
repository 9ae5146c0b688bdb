import CLibUV
import CLuaJIT

/// `require 'time'`: `sleep(seconds)`, `monotonic()`, `now()`.
enum TimeModule {
    static let definition = LuaModule(name: "time", functions: [
        ("sleep", sleep),
        ("monotonic", monotonic),
        ("now", now),
    ], source: """
        local raw, rt = ...
        return { sleep = rt.suspending(raw.sleep), monotonic = raw.monotonic, now = raw.now }
        """)

    static let sleep: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            let seconds = try lua.checkNumber(1, "time.sleep", "seconds")
            guard seconds >= 0, seconds.isFinite else {
                throw LuaError("time.sleep: bad argument #1 'seconds' (finite number >= 0 expected, got \(seconds))")
            }
            let vm = VM.from(lua)
            let fiber = try vm.suspendingFiber("time.sleep")
            if let n = fiber.takeInterruption(lua) { return n }
            let timer = fiber.sleepTimer ?? SleepTimer(fiber)
            fiber.sleepTimer = timer
            let serial = fiber.suspend(on: timer, external: true)
            timer.start(milliseconds: UInt64(min((seconds * 1000).rounded(.up), 1e12)), serial: serial)
            return vm.yield(lua)
        }
    }

    static let monotonic: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            lua.push(Double(uv_hrtime()) / 1e9)
            return 1
        }
    }

    static let now: LuaFunction = { L in
        luaEntry(L) { lua throws(LuaError) in
            var tv = uv_timeval64_t()
            uv_gettimeofday(&tv)
            lua.push(Double(tv.tv_sec) + Double(tv.tv_usec) / 1e6)
            return 1
        }
    }
}

/// The timer a fiber sleeps on; made at its first sleep, reused, closed when the
/// fiber ends.
final class SleepTimer: FiberWait {
    private unowned let fiber: Fiber
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var serial: UInt64 = 0

    init(_ fiber: Fiber) {
        self.fiber = fiber
        handle = .allocate(capacity: 1)
        uv_timer_init(fiber.vm.worker.loop, handle)
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    func start(milliseconds: UInt64, serial: UInt64) {
        self.serial = serial
        uv_timer_start(handle, sleepTimerCallback, milliseconds, 0)
    }

    fileprivate func fired() {
        fiber.wake(serial: serial) { _ in 0 }
    }

    func cancelWait(of fiber: Fiber) { uv_timer_stop(handle) }

    func close() {
        handle.pointee.data = nil
        uv_close(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self), freeHandleCallback)
    }
}

private let sleepTimerCallback: uv_timer_cb = { handle in
    guard let data = handle?.pointee.data else { return }
    Unmanaged<SleepTimer>.fromOpaque(data).takeUnretainedValue().fired()
}

/// Frees a handle's memory once libuv is done with it.
let freeHandleCallback: uv_close_cb = { handle in
    handle?.deallocate()
}

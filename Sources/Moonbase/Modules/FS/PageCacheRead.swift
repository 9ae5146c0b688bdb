import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// Reads of cached file data without the thread pool: `preadv2(RWF_NOWAIT)`
/// copies bytes already in the page cache and returns EAGAIN instead of
/// waiting for the disk, so it never blocks the loop. A pool round trip costs
/// more than the copy for a 64 KiB read. One buffer per worker thread: its
/// bytes are copied into a Lua string before the call returns.
enum PageCacheRead {
    /// Largest read served here; bigger ones go to the pool.
    static let capacity = 1 << 20
    /// After this many fast reads on a worker, the reading fiber yields once.
    static let burst = 8

    /// One worker thread's state, in memory the thread-specific key owns: made
    /// at the thread's first cached read, freed by the key's destructor when
    /// the thread exits. Only its own thread ever touches it.
    private struct State {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: PageCacheRead.capacity, alignment: 64)
        var inRow = 0
        var unsupported = false
    }
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { p in
            let state = p!.assumingMemoryBound(to: State.self)
            state.pointee.buffer.deallocate()
            state.deinitialize(count: 1)
            state.deallocate()
        }
        return key
    }()

    private static var state: UnsafeMutablePointer<State> {
        if let p = pthread_getspecific(key) { return p.assumingMemoryBound(to: State.self) }
        let s = UnsafeMutablePointer<State>.allocate(capacity: 1)
        s.initialize(to: State())
        pthread_setspecific(key, s)
        return s
    }

    /// This thread's buffer (valid after `attempt` returned a count).
    static var buffer: UnsafeMutableRawPointer { state.pointee.buffer }

    /// True once every `burst` fast reads.
    static func shouldGiveWay() -> Bool {
        let s = state
        if s.pointee.inRow < burst { return false }
        s.pointee.inRow = 0
        return true
    }

    /// Bytes read into `buffer` at the file position (0 at end of file), or nil
    /// when the request must go to the pool (not cached, not supported, error).
    static func attempt(fd: Int32, size: Int) -> Int? {
        guard size <= capacity else { return nil }
        let s = state
        if s.pointee.unsupported { return nil }
        let got = mb_read_cached(fd, s.pointee.buffer, UInt(size))
        if got >= 0 { s.pointee.inRow += 1; return got }
        // An old kernel: stop trying on this thread. Anything else (EAGAIN:
        // not cached; a real error) is left to the pool request.
        if got == -Int(ENOSYS) { s.pointee.unsupported = true }
        return nil
    }
}


import CLibUV
import CLuaJIT
#if canImport(Glibc)
import Glibc
#endif

/// A connected stream socket. It reads with `uv_read_start` into a byte buffer
/// bounded by a ceiling (reading stops when it is full, so a peer cannot make
/// the process buffer without bound); the one fiber waiting in a read is woken
/// as soon as its request (`Mode`) can be met.
final class SocketConnection: StreamSocket, FiberWait {
    enum Mode { case some, exact(Int), line, parsed(ConnectionParser) }
    enum Outcome { case bytes(Int, consume: Int), fail(String), message(ConnectionParser), rejected(ConnectionParser) }

    var buffer = ByteBuffer()
    var eof = false
    var error: String?
    var reading = false
    var ceiling = SocketModule.defaultCeiling
    /// The fiber waiting in a read (one at a time).
    var reader = WaitingFiber()
    var mode: Mode = .some
    /// The parser a layered protocol keeps with this connection between
    /// messages, so its buffers are reused.
    var parser: ConnectionParser?
    /// Timeouts (seconds, 0: none) of reads and writes without their own (`settimeout`).
    var readTimeout = 0.0, writeTimeout = 0.0
    /// Loop times (ms) the waiting read or write gives up at; 0: none.
    var readDeadline: UInt64 = 0, writeDeadline: UInt64 = 0
    /// The parser's wait the read deadline was set for (see `ConnectionParser.wait`).
    var parserWait = ParserWait.none
    /// The write a fiber waits on, and the bytes libuv still had queued when
    /// its deadline was set (less at the deadline is progress: it is extended).
    var pendingWrite: PendingOperation<uv_write_t>?
    var queuedAtDeadline = 0
    /// The connect a fiber waits on with a timeout, and when it gives up (loop ms; 0: none).
    var pendingConnect: PendingOperation<uv_connect_t>?
    var connectDeadline: UInt64 = 0
    var writeWaitSeconds = 0.0
    /// Made at the first timed wait.
    var timer: SocketTimer?

    /// The most bytes buffered before reading pauses, for the current mode.
    var limit: Int {
        switch mode {
        case .exact(let n): return max(ceiling, n)
        case .parsed(let p): return p.bufferLimit(ceiling: ceiling)
        default: return ceiling
        }
    }

    override func close() { close(wake: true) }

    func close(wake: Bool) {
        guard !closed else { return }
        closeHandle()
        buffer.reset()
        timer?.close()
        timer = nil
        readDeadline = 0
        endConnect()
        if wake { reader.wake { lua in lua.pushFailure("closed") } }
    }

    override func release() {
        reader.clear()
        close(wake: false)
    }

    func cancelWait(of fiber: Fiber) {
        reader.cancel(fiber)
        readDeadline = 0
    }

    /// Reads what `mode` asks for: at once if buffered, else the calling fiber
    /// waits. `function` names the Lua call in errors.
    /// `timeout`: seconds for this call (nil: the connection's `readTimeout`).
    func read(_ lua: LuaState, _ function: String, _ mode: Mode, timeout: Double? = nil) throws(LuaError) -> Int32 {
        try vm.checkSuspensionAllowed(function)
        if let o = outcome(mode) { return push(o, mode, lua) }
        let fiber = try vm.suspendingFiber(function)
        if let n = fiber.takeInterruption(lua) { return n }
        if !reader.isEmpty { throw LuaError("\(function): another fiber is already reading this connection") }
        self.mode = mode
        if let e = ensureReading() { return lua.pushFailure(e) }
        reader.park(fiber, on: self)
        if case .parsed(let p) = mode {
            setParserDeadline(p.wait(buffered: buffer.count))
        } else if let seconds = timeout ?? (readTimeout > 0 ? readTimeout : nil), seconds > 0 {
            setReadDeadline(seconds)
        }
        return vm.yield(lua)
    }

    /// Reads one message of a layered protocol: what `parser` pushes.
    func read(_ lua: LuaState, _ function: String, parsingWith parser: ConnectionParser) throws(LuaError) -> Int32 {
        try read(lua, function, .parsed(parser))
    }

    /// Starts reading if the buffer has room; returns an error name on failure.
    func ensureReading() -> String? {
        guard !reading, !eof, error == nil, !closed, buffer.count < limit else { return nil }
        let r = uv_read_start(stream, connAllocCallback, connReadCallback)
        if r < 0 { error = uvErrorName(r); return error }
        reading = true
        return nil
    }

    func stopReading() {
        if reading { uv_read_stop(stream); reading = false }
    }

    /// What a read in `mode` gets now, or nil if it must wait.
    func outcome(_ mode: Mode) -> Outcome? {
        if closed { return .fail("closed") }
        let n = buffer.count
        switch mode {
        case .some:
            if n > 0 { return .bytes(n, consume: n) }
        case .exact(let want):
            if n >= want { return .bytes(want, consume: want) }
        case .line:
            if n > 0, let p = memchr(buffer.bytes, 10, n) {
                let i = buffer.bytes.distance(to: p.assumingMemoryBound(to: UInt8.self))
                let len = (i > 0 && buffer.bytes[i - 1] == 13) ? i - 1 : i
                return .bytes(len, consume: i + 1)
            }
            if (eof || error != nil) && n > 0 { return .bytes(n, consume: n) }
            if n >= limit { return .fail("line too long") }
        case .parsed(let parser):
            if n > 0 {
                var kept = n
                let parsed = parser.parse(buffer.bytes, count: &kept)
                if kept < n { buffer.dropLast(n - kept) }  // framing the parser dropped
                if let reply = parser.takeReply() { sendNow(reply) }
                // Dropped framing, or a head that raised the limit to its body's: room to read again.
                if !reading { _ = ensureReading() }
                switch parsed {
                case .message: return .message(parser)
                case .rejected: return .rejected(parser)
                case .incomplete: break
                }
            }
        }
        if let e = error { return .fail(e) }
        if eof { return .fail("closed") }
        return nil
    }

    /// Pushes an outcome onto `lua`, consuming buffered bytes; returns the count.
    func push(_ o: Outcome, _ mode: Mode, _ lua: LuaState) -> Int32 {
        let n: Int32
        switch o {
        case .bytes(let len, let consume):
            lua_pushlstring(lua.L, UnsafeRawPointer(buffer.bytes).assumingMemoryBound(to: CChar.self), len)
            buffer.consume(consume)
            n = 1
        case .fail(let e):
            return lua.pushFailure(e)
        case .message(let parser):
            let (values, consumed) = parser.pushMessage(buffer.bytes, onto: lua)
            buffer.consume(consumed)
            n = values
        case .rejected(let parser):
            let values = parser.pushRejection(onto: lua)
            buffer.reset()
            stopReading()
            return values
        }
        if !reading { _ = ensureReading() }
        return n
    }

    fileprivate func onRead(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?) {
        var nread = nread
        if nread > 0, let base = buf?.pointee.base, !buffer.append(base, nread) {
            nread = Int(UV_ENOBUFS.rawValue)  // no memory to queue it: the reader gets nil, 'ENOBUFS'
        }
        if nread < 0 {
            stopReading()
            if nread == Int(UV_EOF.rawValue) { eof = true } else { error = uvErrorName(Int32(nread)) }
        } else if buffer.count >= limit {
            stopReading()
        }
        guard !reader.isEmpty else { return }
        if let o = outcome(mode) {
            let mode = self.mode
            wakeReader { lua in push(o, mode, lua) }
        } else if nread > 0, case .parsed(let p) = mode {
            // A message read in phases (idle, head, body) gets each phase's timeout.
            let w = p.wait(buffered: buffer.count)
            if w.phase != parserWait.phase || w.restartOnData { setParserDeadline(w) }
        }
    }

    /// Sends a few bytes the protocol owes the peer now (an interim reply) if
    /// the kernel takes them at once; else the peer goes on without them.
    func sendNow(_ bytes: StaticString) {
        var b = uv_buf_init(UnsafeMutableRawPointer(mutating: bytes.utf8Start).assumingMemoryBound(to: CChar.self),
                            UInt32(bytes.utf8CodeUnitCount))
        _ = uv_try_write(stream, &b, 1)
    }

    /// Wakes the reader with what `push` pushes; its deadline goes.
    func wakeReader(_ push: (LuaState) -> Int32) {
        readDeadline = 0
        reader.wake(push)
    }
}

/// Reads land in the worker's scratch buffer, at most the room left under
/// the connection's limit (so the limit is exact), and are copied from there.
private let connAllocCallback: uv_alloc_cb = { handle, _, buf in
    guard let conn = UVHandle<uv_handle_t>.owner(of: handle, as: SocketConnection.self) else {
        buf!.pointee.base = nil; buf!.pointee.len = 0; return  // ENOBUFS to a closed connection
    }
    let room = min(ReadScratch.size, max(conn.limit - conn.buffer.count, 1))
    buf!.pointee.base = conn.vm.worker.readScratch.base.assumingMemoryBound(to: CChar.self)
    buf!.pointee.len = room
}

private let connReadCallback: uv_read_cb = { stream, nread, buf in
    guard let conn = StreamSocket.owner(of: stream, as: SocketConnection.self) else { return }
    conn.onRead(nread, buf)
}

import CLibUV

/// Read and write timeouts of a connection, on its one `SocketTimer`.
///
/// A read that times out returns `nil, "timeout"` and leaves the connection
/// usable (what arrived stays buffered). A write that makes no progress for
/// its timeout returns `nil, "timeout"` and closes the connection: part of the
/// data may have gone, so the stream can no longer be framed.
extension SocketConnection: SocketTimerOwner {
    func setReadDeadline(_ seconds: Double) {
        let t = ownTimer()
        readDeadline = t.deadline(after: seconds)
        t.arm(at: readDeadline)
    }

    func setParserDeadline(_ w: ParserWait) {
        parserWait = w
        if w.seconds > 0 { setReadDeadline(w.seconds) } else { readDeadline = 0 }
    }

    /// Starts timing a pending write: no progress for `seconds` gives up.
    func setWriteDeadline(_ op: PendingOperation<uv_write_t>, _ seconds: Double) {
        let t = ownTimer()
        pendingWrite = op
        writeWaitSeconds = seconds
        queuedAtDeadline = stream.pointee.write_queue_size
        writeDeadline = t.deadline(after: seconds)
        t.arm(at: writeDeadline)
    }

    /// Times a pending connect: after `seconds` the fiber gets nil, "timeout"
    /// and the connection closes (libuv then completes the request as cancelled).
    func setConnectDeadline(_ op: PendingOperation<uv_connect_t>, _ seconds: Double) {
        let t = ownTimer()
        pendingConnect = op
        connectDeadline = t.deadline(after: seconds)
        t.arm(at: connectDeadline)
    }

    func endConnect() {
        pendingConnect = nil
        connectDeadline = 0
    }

    /// The write finished (or was given up): its deadline goes.
    func endWrite(_ op: PendingOperation<uv_write_t>) {
        if pendingWrite === op { pendingWrite = nil; writeDeadline = 0 }
    }

    private func ownTimer() -> SocketTimer {
        if let t = timer { return t }
        let t = SocketTimer(loop: vm.worker.loop, owner: self)
        timer = t
        return t
    }

    func timerFired(now: UInt64) {
        guard !closed, let t = timer else { return }
        if readDeadline != 0 && now >= readDeadline {
            readDeadline = 0
            if case .parsed(let p) = mode {
                let w = parserWait
                wakeReader { lua in p.pushTimeout(w, onto: lua) }
            } else {
                wakeReader { lua in lua.pushFailure("timeout") }
            }
        }
        if connectDeadline != 0 && now >= connectDeadline, let op = pendingConnect {
            endConnect()
            op.wake { lua in lua.pushFailure("timeout") }
            close(wake: false)
            return
        }
        if writeDeadline != 0 && now >= writeDeadline, let op = pendingWrite {
            let queued = stream.pointee.write_queue_size
            if queued < queuedAtDeadline {
                queuedAtDeadline = queued
                writeDeadline = t.deadline(after: writeWaitSeconds)
            } else {
                pendingWrite = nil
                writeDeadline = 0
                op.wake { lua in lua.pushFailure("timeout") }
                close()
                return
            }
        }
        var next: UInt64 = 0
        for d in [readDeadline, writeDeadline, connectDeadline] where d != 0 && (next == 0 || d < next) { next = d }
        if next != 0 { t.arm(at: next) }
    }
}

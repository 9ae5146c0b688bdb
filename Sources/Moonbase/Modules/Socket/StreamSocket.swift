import CLibUV

/// What connections and listeners share: a uv stream handle, TCP or a Unix
/// pipe, in the shared `UVHandle` (memory freed by its close callback, `data`
/// pointing back at this object unretained until `closeHandle`).
class StreamSocket: VMResource {
    /// The handle, of its concrete libuv type.
    enum Handle {
        case tcp(UVHandle<uv_tcp_t>)
        case pipe(UVHandle<uv_pipe_t>)
    }

    let vm: VM
    /// Replaced only by a listener resuming after a pause (`reopen(fd:)`).
    private(set) var handle: Handle
    /// The handle as a stream, computed once: every read and write passes it.
    private(set) var stream: UnsafeMutablePointer<uv_stream_t>
    private(set) var closed = false

    var tcp: Bool {
        if case .tcp = handle { return true }
        return false
    }

    /// A new, unconnected handle on the VM's loop. The VM holds this object
    /// (`vm.register`) until `closeHandle`.
    init(vm: VM, tcp: Bool) {
        self.vm = vm
        (handle, stream) = StreamSocket.makeHandle(vm.worker.loop, tcp: tcp)
        switch handle {
        case .tcp(let h): h.setOwner(self)
        case .pipe(let h): h.setOwner(self)
        }
        vm.register(self)
    }

    private static func makeHandle(_ loop: UnsafeMutablePointer<uv_loop_t>, tcp: Bool) -> (Handle, UnsafeMutablePointer<uv_stream_t>) {
        if tcp {
            let h = UVHandle<uv_tcp_t>()
            uv_tcp_init(loop, h.pointer)
            return (.tcp(h), UnsafeMutableRawPointer(h.pointer).assumingMemoryBound(to: uv_stream_t.self))
        }
        let h = UVHandle<uv_pipe_t>()
        uv_pipe_init(loop, h.pointer, 0)
        return (.pipe(h), UnsafeMutableRawPointer(h.pointer).assumingMemoryBound(to: uv_stream_t.self))
    }

    /// Swaps the libuv handle for a fresh, unopened one of the same kind, but
    /// keeps the socket object (a listener pausing; `reopen(fd:)` resumes).
    /// The old handle's memory goes with its close callback.
    func detachHandle() {
        switch handle {
        case .tcp(let h): h.close()
        case .pipe(let h): h.close()
        }
        (handle, stream) = StreamSocket.makeHandle(vm.worker.loop, tcp: tcp)
        switch handle {
        case .tcp(let h): h.setOwner(self)
        case .pipe(let h): h.setOwner(self)
        }
    }

    /// Opens the (detached) handle on `fd`; libuv status.
    func reopen(fd: Int32) -> Int32 {
        switch handle {
        case .tcp(let h): return uv_tcp_open(h.pointer, fd)
        case .pipe(let h): return uv_pipe_open(h.pointer, fd)
        }
    }

    /// The socket of a stream given to a libuv callback, or nil once closed.
    @inline(__always)
    static func owner<Socket: StreamSocket>(of stream: UnsafeMutablePointer<uv_stream_t>?, as: Socket.Type) -> Socket? {
        UVHandle<uv_stream_t>.owner(of: stream, as: Socket.self)
    }

    /// Closes the handle (memory freed in the close callback).
    func closeHandle() {
        guard !closed else { return }
        closed = true
        vm.unregister(self)
        switch handle {
        case .tcp(let h): h.close()
        case .pipe(let h): h.close()
        }
    }

    /// Closes the socket: what `socket.close` and the userdata's `__gc` do.
    func close() { closeHandle() }

    func release() {}
}

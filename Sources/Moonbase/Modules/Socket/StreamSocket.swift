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
    let handle: Handle
    /// The handle as a stream, computed once: every read and write passes it.
    let stream: UnsafeMutablePointer<uv_stream_t>
    private(set) var closed = false

    var tcp: Bool {
        if case .tcp = handle { return true }
        return false
    }

    /// A new, unconnected handle on the VM's loop. The VM holds this object
    /// (`vm.register`) until `closeHandle`.
    init(vm: VM, tcp: Bool) {
        self.vm = vm
        if tcp {
            let h = UVHandle<uv_tcp_t>()
            uv_tcp_init(vm.worker.loop, h.pointer)
            handle = .tcp(h)
            stream = UnsafeMutableRawPointer(h.pointer).assumingMemoryBound(to: uv_stream_t.self)
        } else {
            let h = UVHandle<uv_pipe_t>()
            uv_pipe_init(vm.worker.loop, h.pointer, 0)
            handle = .pipe(h)
            stream = UnsafeMutableRawPointer(h.pointer).assumingMemoryBound(to: uv_stream_t.self)
        }
        switch handle {
        case .tcp(let h): h.setOwner(self)
        case .pipe(let h): h.setOwner(self)
        }
        vm.register(self)
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

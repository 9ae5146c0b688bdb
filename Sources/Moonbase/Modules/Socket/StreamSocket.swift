import CLibUV

/// What connections and listeners share: a uv stream handle (TCP or pipe).
class StreamSocket: VMResource {
    let vm: VM
    let handle: UnsafeMutableRawPointer
    let tcp: Bool
    var closed = false

    var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }

    /// The handle's `data` points (unretained) at this object until
    /// `closeHandle`; the VM holds it meanwhile (`vm.register`).
    init(vm: VM, handle: UnsafeMutableRawPointer, tcp: Bool) {
        self.vm = vm
        self.handle = handle
        self.tcp = tcp
        stream.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        vm.register(self)
    }

    /// Closes the handle (memory freed in the close callback).
    func closeHandle() {
        guard !closed else { return }
        closed = true
        vm.unregister(self)
        stream.pointee.data = nil
        uv_close(handle.assumingMemoryBound(to: uv_handle_t.self), freeHandleCallback)
    }

    func release() {}
}

import CLibUV
import CLuaJIT
import CMoonbaseShim
#if canImport(Glibc)
import Glibc
#endif

/// One libuv request (`uv_fs_t`, `uv_write_t`, `uv_connect_t`, ...) that a
/// suspended fiber waits on: the one way a module suspends a fiber on a request.
///
/// Who owns what (the audited place for requests): the operation owns the
/// request's memory and every buffer handed to libuv with it (`keep`), and
/// frees them in `deinit`. While libuv holds the request, the request's `data`
/// holds a retained reference to the operation, given back exactly once by
/// `completed(_:)` in the request's callback. So the memory lives until libuv
/// is done with it, even when the fiber was interrupted or its VM ended long
/// before (the completion then wakes nobody).
final class PendingOperation<Request>: FiberWait {
    let request: UnsafeMutablePointer<Request> = .allocate(capacity: 1)
    let fiber: Fiber
    private var serial: UInt64 = 0
    /// The wait was given up (interruption, VM end): the completion wakes nobody.
    private(set) var isCancelled = false
    /// Runs once when the wait is given up (e.g. `uv_cancel`, closing a handle).
    var onCancel: ((PendingOperation<Request>) -> Void)?
    /// Memory freed with the operation: the first piece inline (a write's
    /// bytes, a path) so the common case allocates no array.
    private var buffer: UnsafeMutableRawPointer?
    private var moreBuffers: [UnsafeMutableRawPointer] = []
    /// Objects that must live as long as the request (a connection, a file).
    private var objects: [AnyObject] = []
    /// A Lua string libuv reads from in place (`keep(luaStringAt:)`): its
    /// registry reference, and the VM whose registry holds it.
    private var luaRef: Int32 = 0
    private var luaRefVM: VM?

    init(fiber: Fiber) { self.fiber = fiber }

    deinit {
        // On the loop thread (the completion or the owner dropping the
        // operation); a closed VM took its registry, and the string, with it.
        if let vm = luaRefVM, !vm.isClosed { luaL_unref(vm.L, mb_registryindex(), luaRef) }
        RawMemory.free(buffer)
        for b in moreBuffers { RawMemory.free(b) }
        request.deallocate()
    }

    /// A copy of `bytes` that lives as long as the operation; nil when there
    /// is no memory left (the caller returns nil, `RawMemory.failure`).
    func keep(copyOf bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard let p = RawMemory.copy(bytes) else { return nil }
        own(p)
        return p
    }

    /// A NUL-terminated copy of `string` that lives as long as the operation;
    /// nil when there is no memory left.
    func keep(_ string: String) -> UnsafeMutablePointer<CChar>? {
        guard let p = RawMemory.copy(string) else { return nil }
        own(UnsafeMutableRawPointer(p))
        return p
    }

    /// Keeps the Lua string at `index` alive, unmoved, until the operation
    /// ends (anchored in the registry), so libuv can read its bytes in place:
    /// a body sent to many connections is shared, not copied. One per operation.
    /// A VM that ends first closes its connections (libuv stops writing) before its state.
    func keep(luaStringAt index: Int32, of vm: VM, on lua: LuaState) {
        precondition(luaRefVM == nil, "one Lua string per operation")
        lua_pushvalue(lua.L, index)
        luaRef = luaL_ref(lua.L, mb_registryindex())
        luaRefVM = vm
    }

    private func own(_ p: UnsafeMutableRawPointer) {
        if buffer == nil { buffer = p } else { moreBuffers.append(p) }
    }

    /// Keeps `object` alive until the operation ends.
    func keep(_ object: AnyObject) { objects.append(object) }

    /// Submits the request with `submit` (a `uv_*` call returning a libuv
    /// status) and suspends the fiber on it. Returns nil when submitted (the
    /// caller then returns `vm.yield(lua)`), or the libuv error, in which case
    /// nothing is pending and the fiber is not suspended.
    func start(external: Bool = true, _ submit: (UnsafeMutablePointer<Request>) -> Int32) -> Int32? {
        let data = UnsafeMutableRawPointer(request)  // every uv_req_t starts with `void *data`
        data.storeBytes(of: Unmanaged.passRetained(self).toOpaque(), as: UnsafeMutableRawPointer?.self)
        let status = submit(request)
        if status < 0 {
            Unmanaged.passUnretained(self).release()
            return status
        }
        serial = fiber.suspend(on: self, external: external)
        return nil
    }

    /// The operation of a request given to its libuv callback, handing back
    /// the reference `start` gave the request.
    @inline(__always)
    static func completed(_ request: UnsafeMutablePointer<Request>?) -> PendingOperation<Request> {
        let data = UnsafeMutableRawPointer(request!).load(as: UnsafeMutableRawPointer.self)
        return Unmanaged<PendingOperation<Request>>.fromOpaque(data).takeRetainedValue()
    }

    /// Wakes the fiber with the values `push` pushes; nobody once cancelled.
    func wake(_ push: (LuaState) -> Int32) {
        guard !isCancelled else { return }
        fiber.wake(serial: serial, push)
    }

    func cancelWait(of fiber: Fiber) {
        guard !isCancelled else { return }
        isCancelled = true
        onCancel?(self)
        onCancel = nil
    }
}

/// Unique light-userdata values shared by the Swift runtime and the Lua prelude.
enum Sentinel {
    /// Yielded by a suspending call: "this fiber waits; the scheduler resumes it".
    nonisolated(unsafe) static let suspend = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
    /// First value a suspending call returns to mean "raise the second value".
    /// Lets Swift make a resumed fiber raise without calling `lua_error` itself.
    nonisolated(unsafe) static let raise = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
}

/// Unique light-userdata values shared by the Swift runtime and the Lua prelude.
enum Sentinel {
    /// Yielded by a suspending call: "this fiber waits; the scheduler resumes it".
    nonisolated(unsafe) static let suspend = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
    /// First value a suspending call returns to mean "raise the second value".
    /// Lets Swift make a resumed fiber raise without calling `lua_error` itself.
    nonisolated(unsafe) static let raise = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
    /// `json.null` / `mysql.null`: one value for the whole process, so it
    /// keeps its meaning in a message to another actor.
    nonisolated(unsafe) static let null = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
}

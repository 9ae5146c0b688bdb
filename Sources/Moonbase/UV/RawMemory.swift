#if canImport(Glibc)
import Glibc
#endif

/// Memory whose allocation may fail without ending the process: the one
/// audited place for it.
///
/// Swift's own allocations (`allocate`, Array and String growth) abort when
/// malloc returns NULL. Every buffer whose size a user or a peer controls (a
/// message, a response, a read, a write's copy, a received chunk) comes from
/// here instead, so the caller can raise "not enough memory" or return
/// nil, err and the process goes on. Free it with `RawMemory.free`.
enum RawMemory {
    /// The error text of a failed allocation (Lua's own word for it).
    static let failure = "not enough memory"

    /// `byteCount` bytes (at least one), or nil when there is no memory left.
    static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        byteCount < 0 ? nil : malloc(max(byteCount, 1))
    }

    /// A copy of `bytes`, or nil when there is no memory left.
    static func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard let p = allocate(bytes.count) else { return nil }
        if let source = bytes.baseAddress, bytes.count > 0 { memcpy(p, source, bytes.count) }
        return p
    }

    /// A NUL-terminated copy of `string`, or nil when there is no memory left.
    static func copy(_ string: String) -> UnsafeMutablePointer<CChar>? {
        strdup(string)
    }

    /// `pointer` resized to `byteCount` bytes; nil when there is no memory
    /// left, and then `pointer` is untouched and still the caller's.
    static func resize(_ pointer: UnsafeMutableRawPointer?, to byteCount: Int) -> UnsafeMutableRawPointer? {
        byteCount < 0 ? nil : realloc(pointer, max(byteCount, 1))
    }

    static func free(_ pointer: UnsafeMutableRawPointer?) {
        Glibc.free(pointer)
    }
}

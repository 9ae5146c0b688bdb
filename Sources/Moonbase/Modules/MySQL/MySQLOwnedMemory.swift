#if canImport(Glibc)
import Glibc
#endif

/// C strings kept alive until the operation that uses them completes.
final class CStrings {
    let pointers: [UnsafeMutablePointer<CChar>?]
    init(_ values: [String?]) { pointers = values.map { $0.map { strdup($0)! } } }
    deinit { for p in pointers { free(p) } }
    subscript(i: Int) -> UnsafeMutablePointer<CChar>? { pointers[i] }
}

/// A copy of a Lua string (SQL text) owned until the operation completes.
final class OwnedBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int
    init(_ b: UnsafeRawBufferPointer) {
        count = b.count
        pointer = .allocate(capacity: max(1, b.count))
        if let base = b.baseAddress { UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: b.count) }
    }
    deinit { pointer.deallocate() }
}

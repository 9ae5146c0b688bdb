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

/// A copy of a Lua string (SQL text) owned until the operation completes;
/// nil when there is no memory left for it.
final class OwnedBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int
    init?(_ b: UnsafeRawBufferPointer) {
        guard let p = RawMemory.copy(b) else { return nil }
        count = b.count
        pointer = p.assumingMemoryBound(to: CChar.self)
    }
    deinit { RawMemory.free(pointer) }
}

/// The encoded bytes of a message: small ones inline in the value, the rest
/// in memory of their own (`RawMemory`, so a huge message that does not fit
/// fails the send instead of the process).
///
/// Inline, a message queued in an inbox costs no allocation of its own: in a
/// stream between workers the sender allocated each message's bytes and the
/// receiver freed them, and the two threads then fought over the sender's
/// malloc arena lock (most futex calls in the stream's profile).
struct MessageBytes {
    static let inlineCapacity = 112

    private var inline = InlineArray<112, UInt8>(repeating: 0)
    private var heap: HeapBytes?
    let count: Int

    /// A copy of `count` bytes at `source`; nil when there is no memory left.
    init?(copying source: UnsafeRawPointer, count: Int) {
        self.count = count
        if count <= MessageBytes.inlineCapacity {
            withUnsafeMutableBytes(of: &inline) { $0.baseAddress!.copyMemory(from: source, byteCount: count) }
        } else {
            guard let p = RawMemory.copy(UnsafeRawBufferPointer(start: source, count: count)) else { return nil }
            heap = HeapBytes(p)
        }
    }

    init?(_ bytes: [UInt8]) {
        guard let copy = bytes.withUnsafeBytes({ MessageBytes(copying: $0.baseAddress!, count: $0.count) }) else { return nil }
        self = copy
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let heap { return body(UnsafeRawBufferPointer(start: heap.pointer, count: count)) }
        return Swift.withUnsafeBytes(of: inline) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

/// A message's bytes beyond the inline capacity, freed with the last copy of
/// the message that holds them.
private final class HeapBytes {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { RawMemory.free(pointer) }
}

/// The encoded bytes of a message: small ones inline in the value, the rest
/// in a heap array.
///
/// Inline, a message queued in an inbox costs no allocation of its own: in a
/// stream between workers the sender allocated each message's bytes and the
/// receiver freed them, and the two threads then fought over the sender's
/// malloc arena lock (most futex calls in the stream's profile).
struct MessageBytes {
    static let inlineCapacity = 112

    private var inline = InlineArray<112, UInt8>(repeating: 0)
    private var heap: [UInt8]?
    let count: Int

    init(copying source: UnsafeRawPointer, count: Int) {
        self.count = count
        if count <= MessageBytes.inlineCapacity {
            withUnsafeMutableBytes(of: &inline) { $0.baseAddress!.copyMemory(from: source, byteCount: count) }
        } else {
            heap = [UInt8](UnsafeRawBufferPointer(start: source, count: count))
        }
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { MessageBytes(copying: $0.baseAddress!, count: $0.count) }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let heap { return heap.withUnsafeBytes(body) }
        return Swift.withUnsafeBytes(of: inline) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

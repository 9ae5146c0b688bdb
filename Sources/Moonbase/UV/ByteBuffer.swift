#if canImport(Glibc)
import Glibc
#endif

/// A growable byte queue (malloc'd, freed as soon as it is empty so idle
/// connections hold no buffer).
struct ByteBuffer {
    var base: UnsafeMutablePointer<UInt8>? = nil
    var capacity = 0
    var lo = 0
    var hi = 0

    @inline(__always) var count: Int { hi - lo }
    @inline(__always) var bytes: UnsafeMutablePointer<UInt8> { base! + lo }

    /// Appends `n` bytes; false (nothing appended) when there is no memory
    /// left to grow.
    mutating func append(_ src: UnsafeRawPointer, _ n: Int) -> Bool {
        if hi + n > capacity {
            if lo > 0, let b = base {
                memmove(b, b + lo, hi - lo)
                hi -= lo
                lo = 0
            }
            if hi + n > capacity {
                var cap = max(capacity * 2, 4096)
                while cap < hi + n { cap *= 2 }
                guard let bigger = RawMemory.resize(base, to: cap) else { return false }
                base = bigger.assumingMemoryBound(to: UInt8.self)
                capacity = cap
            }
        }
        memcpy(base! + hi, src, n)
        hi += n
        return true
    }

    mutating func consume(_ n: Int) {
        lo += n
        if lo >= hi { reset() }
    }

    /// Forgets the last `n` bytes (moved away or dropped in place by a parser).
    mutating func dropLast(_ n: Int) {
        hi -= n
        if lo >= hi { reset() }
    }

    mutating func reset() {
        RawMemory.free(base)
        base = nil
        capacity = 0
        lo = 0
        hi = 0
    }
}

/// The one buffer a loop's socket reads land in before they are copied to
/// the connection's own buffer (only the bytes a read returned). libuv calls
/// a stream's alloc and read callbacks back to back on the loop thread, so
/// one buffer per loop serves every connection: no allocation per read.
final class ReadScratch {
    static let size = 65536
    let base = UnsafeMutableRawPointer.allocate(byteCount: ReadScratch.size, alignment: 16)
    deinit { base.deallocate() }
}

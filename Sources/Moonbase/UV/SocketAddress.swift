import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// IPv4/IPv6 socket addresses for TCP and UDP: parsed from literal text,
/// formatted back to text, pushed to Lua as host, port.
enum SocketAddress {
    /// Parses a literal address ("*" and "localhost" accepted); nil for a name
    /// that needs resolving or anything else.
    static func parse(_ host: String, _ port: Int) -> sockaddr_storage? {
        var st = sockaddr_storage()
        var h = host
        if h == "*" || h == "" { h = "0.0.0.0" }
        if h == "localhost" { h = "127.0.0.1" }
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        let ok = withUnsafeMutablePointer(to: &st) { p -> Bool in
            let raw = UnsafeMutableRawPointer(p)
            if uv_ip4_addr(h, Int32(port), raw.assumingMemoryBound(to: sockaddr_in.self)) == 0 { return true }
            return uv_ip6_addr(h, Int32(port), raw.assumingMemoryBound(to: sockaddr_in6.self)) == 0
        }
        return ok ? st : nil
    }

    /// The text form of an IPv4 or IPv6 socket address.
    static func text(_ addr: UnsafePointer<sockaddr>) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        switch Int32(addr.pointee.sa_family) {
        case AF_INET:
            UnsafeRawPointer(addr).withMemoryRebound(to: sockaddr_in.self, capacity: 1) { _ = uv_ip4_name($0, &name, name.count) }
        case AF_INET6:
            UnsafeRawPointer(addr).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { _ = uv_ip6_name($0, &name, name.count) }
        default:
            return nil
        }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Pushes host, port of a socket address (`nil, "EAFNOSUPPORT"` for
    /// another family); returns 2.
    static func push(_ lua: LuaState, _ addr: UnsafeRawPointer) -> Int32 {
        var name = [CChar](repeating: 0, count: 64)
        let family = Int32(addr.assumingMemoryBound(to: sockaddr.self).pointee.sa_family)
        if family == AF_INET6 {
            let a = addr.assumingMemoryBound(to: sockaddr_in6.self)
            uv_ip6_name(a, &name, name.count)
            lua.push(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            lua.push(Int(UInt16(bigEndian: a.pointee.sin6_port)))
        } else if family == AF_INET {
            let a = addr.assumingMemoryBound(to: sockaddr_in.self)
            uv_ip4_name(a, &name, name.count)
            lua.push(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            lua.push(Int(UInt16(bigEndian: a.pointee.sin_port)))
        } else {
            lua.pushNil()
            lua.push("EAFNOSUPPORT")
        }
        return 2
    }
}

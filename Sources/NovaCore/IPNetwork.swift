#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]
    private let text: String

    public var isIPv4: Bool { bytes.count == 4 }
    public var description: String { text }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4) { Array($0) }
            self.text = text
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: v6) { Array($0) }
            self.text = text
            return
        }
        return nil
    }
}

/// A network in CIDR notation, such as `10.0.0.0/24` or `fd00::/64`.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public var description: String { "\(address)/\(prefixLength)" }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), let prefix = Int(parts[1]),
            prefix >= 0, prefix <= address.bytes.count * 8
        else { return nil }
        self.address = address
        prefixLength = prefix
    }

    /// Whether the address lies inside this network.
    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, other.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// Whether the address part has bits set past the prefix (`10.0.0.5/24`).
    public var hasHostBits: Bool {
        var remaining = prefixLength
        for byte in address.bytes {
            let bits = max(0, min(8, remaining))
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bits < 8 && byte & ~mask != 0 { return true }
            remaining -= 8
        }
        return false
    }

    /// Whether this network is the whole address space (`0.0.0.0/0`, `::/0`).
    public var isEverything: Bool { prefixLength == 0 }
}

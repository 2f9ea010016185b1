import Foundation
import NovaCore

#if canImport(Glibc)
    import Glibc
#endif

/// Networks in CIDR notation: containment, intersection, expansion, merging and matching.
extension Builtins {
    static let net: [String: Builtin] = [
        "net.cidr_contains": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            .bool(try network(a, 0).contains(try network(a, 1, allowAddress: true)))
        },
        "net.cidr_intersects": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let x = try network(a, 0), y = try network(a, 1)
            return .bool(x.contains(y.first) || y.contains(x.first))
        },
        "net.cidr_is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .string(let s) = a[0] else { return .bool(false) }
            return .bool(Network(s) != nil)
        },
        "net.cidr_expand": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let n = try network(a, 0)
            guard n.width - n.prefix <= 16 else { throw a.failure("CIDR \(n.text) is too large to expand") }
            var hosts: Set<Value> = []
            var address = n.first
            while true {
                hosts.insert(.string(Network.text(address, v4: n.isV4)))
                if address == n.last { break }
                address += 1
            }
            return .set(hosts)
        },
        "net.cidr_merge": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var networks: [Network] = []
            for item in try a.elements(0) {
                guard case .string(let s) = item, let n = Network(s) ?? Network(classful: s) else {
                    throw a.failure("IP address or CIDR expected, got \(item.regoText)")
                }
                networks.append(n)
            }
            return .set(Set(Network.merged(networks).map { .string($0.canonical) }))
        },
        "net.lookup_ip_addr": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let name = try a.string(0)
            if Network.parse(name) != nil { return .set([.string(name)]) }
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, nil, &hints, &list) == 0 else { throw a.failure("lookup \(name): no such host") }
            defer { freeaddrinfo(list) }
            var found: Set<Value> = []
            var node = list
            while let entry = node?.pointee {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(entry.ai_addr, entry.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    found.insert(.string(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
                }
                node = entry.ai_next
            }
            return .set(found)
        },
        "net.cidr_contains_matches": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let outer = try matchTerms(a, 0), inner = try matchTerms(a, 1)
            var matches: Set<Value> = []
            for (k1, n1) in outer {
                for (k2, n2) in inner where n1.contains(n2) { matches.insert(.array([k1, k2])) }
            }
            return .set(matches)
        },
    ]

    static func network(_ a: Arguments, _ i: Int, allowAddress: Bool = false) throws(RegoError) -> Network {
        let s = try a.string(i)
        if let n = Network(s) { return n }
        if allowAddress, let n = Network(address: s) { return n }
        throw a.failure("invalid CIDR address: \(s)")
    }

    /// `cidr_contains_matches` operands: a string, or a collection whose elements are strings or
    /// arrays starting with one, keyed by index, element or object key.
    static func matchTerms(_ a: Arguments, _ i: Int) throws(RegoError) -> [(Value, Network)] {
        func parse(_ v: Value) throws(RegoError) -> Network {
            var text: String?
            if case .string(let s) = v { text = s } else if case .array(let items) = v, case .string(let s)? = items.first { text = s }
            guard let text, let n = Network(text) ?? Network(address: text) else { throw a.failure("invalid CIDR or address: \(v.regoText)") }
            return n
        }
        switch a[i] {
        case .string: return [(a[i], try parse(a[i]))]
        case .array(let items):
            var result: [(Value, Network)] = []
            for (index, item) in items.enumerated() { result.append((.int(index), try parse(item))) }
            return result
        case .set(let items):
            var result: [(Value, Network)] = []
            for item in items.sorted() { result.append((item, try parse(item))) }
            return result
        case .object(let fields):
            var result: [(Value, Network)] = []
            for (key, item) in fields { result.append((key, try parse(item))) }
            return result
        default: throw a.typeError(i, "any<string, array, set, object>")
        }
    }
}

/// An IPv4 or IPv6 network as a range of 128-bit integers.
struct Network: Hashable {
    var address: UInt128
    var prefix: Int
    var isV4: Bool
    var text: String

    var width: Int { isV4 ? 32 : 128 }
    var mask: UInt128 {
        let hostBits = width - prefix
        let all: UInt128 = isV4 ? 0xFFFF_FFFF : .max
        return hostBits >= 128 ? 0 : all & ~((UInt128(1) << hostBits) - 1)
    }
    var first: UInt128 { address & mask }
    var last: UInt128 { first | (~mask & (isV4 ? 0xFFFF_FFFF : .max)) }
    var canonical: String { Network.text(first, v4: isV4) + "/\(prefix)" }

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let (value, v4) = Network.parse(String(parts[0])), let p = Int(parts[1]), p >= 0, p <= (v4 ? 32 : 128) else { return nil }
        address = value
        prefix = p
        isV4 = v4
        self.text = text
    }

    /// A single address as a network of one.
    init?(address text: String) {
        guard let (value, v4) = Network.parse(text) else { return nil }
        address = value
        prefix = v4 ? 32 : 128
        isV4 = v4
        self.text = text
    }

    /// A bare IPv4 address as the network of its address class (as Go's DefaultMask); an IPv6
    /// address needs a prefix length.
    init?(classful text: String) {
        guard let (value, v4) = Network.parse(text), v4 else { return nil }
        let top = value >> 24
        self.init(first: value, prefix: top < 128 ? 8 : top < 192 ? 16 : 24, isV4: true)
        address = value & mask
    }

    init(first: UInt128, prefix: Int, isV4: Bool) {
        address = first
        self.prefix = prefix
        self.isV4 = isV4
        text = Network.text(first, v4: isV4) + "/\(prefix)"
    }

    func contains(_ other: Network) -> Bool {
        isV4 == other.isV4 && other.prefix >= prefix && other.first & mask == first
    }

    func contains(_ value: UInt128) -> Bool { value & mask == first }

    static func parse(_ text: String) -> (UInt128, Bool)? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return (withUnsafeBytes(of: v4) { $0.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }, true)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return (withUnsafeBytes(of: v6) { $0.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }, false)
        }
        return nil
    }

    static func text(_ value: UInt128, v4: Bool) -> String {
        let count = v4 ? 4 : 16
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - $0))) }
        var buffer = [CChar](repeating: 0, count: 64)
        let family = v4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The smallest set of networks covering exactly the same addresses.
    static func merged(_ networks: [Network]) -> [Network] {
        var result: [Network] = []
        for family in [true, false] {
            var ranges = networks.filter { $0.isV4 == family }.map { ($0.first, $0.last) }.sorted { $0.0 < $1.0 }
            var joined: [(UInt128, UInt128)] = []
            for range in ranges {
                if let last = joined.last, range.0 <= last.1 || (last.1 != .max && range.0 == last.1 + 1) {
                    joined[joined.count - 1].1 = max(last.1, range.1)
                } else {
                    joined.append(range)
                }
            }
            ranges = joined
            let width = family ? 32 : 128
            for (start, end) in ranges {
                var current = start
                while true {
                    // The largest aligned block starting at `current` that stays within `end`.
                    var size = current == 0 ? width : min(width, current.trailingZeroBitCount)
                    while size > 0 {
                        let blockEnd = current + ((size >= 128 ? UInt128.max : (UInt128(1) << size) - 1))
                        if blockEnd <= end, blockEnd >= current { break }
                        size -= 1
                    }
                    result.append(Network(first: current, prefix: width - size, isV4: family))
                    let blockEnd = size >= 128 ? UInt128.max : current + (UInt128(1) << size) - 1
                    if blockEnd >= end { break }
                    current = blockEnd + 1
                }
            }
        }
        return result
    }
}

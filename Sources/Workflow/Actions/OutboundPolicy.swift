import Foundation
import NovaCore

/// Where `http.request` and `notify` may connect. A server's default is the public internet
/// only: loopback, link-local (cloud metadata at 169.254.169.254), private, shared and
/// multicast ranges are refused unless listed in `allowed`, so a workflow cannot be pointed at
/// the server itself or at services behind it (SSRF). Every address a name resolves to is
/// checked, and so is each redirect's target.
public struct OutboundPolicy: Sendable {
    /// Ranges allowed although they are not public (`--allow-http-to 10.1.0.0/16`).
    public var allowed: [CIDR]
    /// Whether every address is allowed (the engine's own default, for tests and embedding).
    public var allowsEverything: Bool

    public init(allowed: [CIDR] = [], allowsEverything: Bool = false) {
        self.allowed = allowed
        self.allowsEverything = allowsEverything
    }

    public static let unrestricted = OutboundPolicy(allowsEverything: true)

    static let nonPublic: [CIDR] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "fc00::/7", "fe80::/10", "ff00::/8",
    ].compactMap(CIDR.init)

    /// Throws `address_refused` unless every address `url`'s host stands for may be reached.
    public func check(_ url: URL) throws {
        guard !allowsEverything else { return }
        guard let host = url.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), !host.isEmpty else {
            throw StepError(code: "invalid_input", message: "the url has no host", isRetryable: false)
        }
        let addresses = Self.resolve(host)
        guard !addresses.isEmpty else { throw StepError(code: "http_unreachable", message: "\(host) does not resolve") }
        for address in addresses where !isAllowed(address) {
            throw StepError(
                code: "address_refused",
                message: "\(host) is \(address), a loopback, link-local or private address; the server allows such targets only with --allow-http-to",
                isRetryable: false)
        }
    }

    public func isAllowed(_ address: IPAddress) -> Bool {
        if allowsEverything || allowed.contains(where: { $0.contains(address) }) { return true }
        return !Self.nonPublic.contains { $0.contains(address) }
    }

    static func resolve(_ host: String) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let info = entry {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
            } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            }
            if let parsed = IPAddress(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) { addresses.append(parsed) }
            entry = info.pointee.ai_next
        }
        return addresses
    }
}

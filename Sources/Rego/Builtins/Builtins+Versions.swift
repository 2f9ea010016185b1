import Foundation
import NovaCore

/// Semantic versions (semver.org 2.0.0) and UUIDs.
extension Builtins {
    static let versions: [String: Builtin] = [
        "semver.is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .string(let s) = a[0] else { return .bool(false) }
            return .bool(SemanticVersion(s) != nil)
        },
        "semver.compare": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let l = try a.string(0), r = try a.string(1)
            guard let left = SemanticVersion(l) else { throw a.failure("operand 1: string \"\(l)\" is not a valid SemVer") }
            guard let right = SemanticVersion(r) else { throw a.failure("operand 2: string \"\(r)\" is not a valid SemVer") }
            return .int(left.compare(right))
        },
        "uuid.parse": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in parseUUID(try a.string(0)) },
    ]

    /// `uuid.parse`: the version and variant, and for time-based versions their fields.
    static func parseUUID(_ text: String) -> Value? {
        var s = text.lowercased()
        if s.hasPrefix("urn:uuid:") { s = String(s.dropFirst(9)) }
        if s.hasPrefix("{"), s.hasSuffix("}") { s = String(s.dropFirst().dropLast()) }
        if s.count == 36 {
            let dashes = [8, 13, 18, 23]
            for (i, c) in s.enumerated() where dashes.contains(i) != (c == "-") { return nil }
            s = s.replacingOccurrences(of: "-", with: "")
        }
        guard s.count == 32 else { return nil }
        var bytes: [UInt8] = []
        var chars = s[...]
        while !chars.isEmpty {
            guard let byte = UInt8(chars.prefix(2), radix: 16) else { return nil }
            bytes.append(byte)
            chars = chars.dropFirst(2)
        }
        let version = Int(bytes[6] >> 4)
        let variant: String
        switch bytes[8] {
        case 0x00..<0x80: variant = "Reserved, NCS backward compatibility"
        case 0x80..<0xC0: variant = "RFC4122"
        case 0xC0..<0xE0: variant = "Reserved, Microsoft Corporation backward compatibility"
        default: variant = "Reserved, future definition"
        }
        var result: [Value: Value] = ["version": .int(version), "variant": .string(variant)]
        if version == 1 || version == 2 {
            var timeLow = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            if version == 2 {
                result["id"] = .int(Int(timeLow))
                result["domain"] = .string(["Person", "Group", "Org"][safe: Int(bytes[9])] ?? "Domain\(bytes[9])")
                timeLow = 0
            }
            let timeMid = UInt64(bytes[4]) << 8 | UInt64(bytes[5])
            let timeHigh = (UInt64(bytes[6]) << 8 | UInt64(bytes[7])) & 0x0FFF
            let ticks = timeHigh << 48 | timeMid << 32 | timeLow
            // 100 ns ticks since 1582-10-15; Unix epoch is 12219292800 s later.
            let unixNanos = (Int64(ticks) - 122_192_928_000_000_000) * 100
            result["time"] = .int(Int(unixNanos))
            let sequence = version == 2 ? Int(bytes[8] & 0x3F) << 8 : (Int(bytes[8] & 0x3F) << 8 | Int(bytes[9]))
            result["clocksequence"] = .int(sequence)
            let node = bytes[10..<16]
            result["nodeid"] = .string(
                node.map { byte in
                    let hex = String(byte, radix: 16)
                    return hex.count == 1 ? "0" + hex : hex
                }.joined(separator: "-"))
            result["macvariables"] = .string((node.first! & 0x02 != 0 ? "local" : "global") + ":" + (node.first! & 0x01 != 0 ? "multicast" : "unicast"))
        }
        return .object(result)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A semantic version: major.minor.patch, optional pre-release and build metadata.
struct SemanticVersion {
    var core: [Int]
    var prerelease: [String]

    init?(_ text: String) {
        var s = Substring(text)
        if let plus = s.firstIndex(of: "+") {
            let build = s[s.index(after: plus)...]
            guard !build.isEmpty, build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ Self.isIdentifier($0) }) else { return nil }
            s = s[..<plus]
        }
        prerelease = []
        if let dash = s.firstIndex(of: "-") {
            let pre = s[s.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            guard !pre.isEmpty, pre.allSatisfy({ Self.isIdentifier($0) && !(Self.isNumeric($0) && $0.count > 1 && $0.first == "0") }) else { return nil }
            prerelease = pre.map(String.init)
            s = s[..<dash]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ Self.isNumeric($0) && ($0.count == 1 || $0.first != "0") }) else { return nil }
        core = parts.compactMap { Int($0) }
        guard core.count == 3 else { return nil }
    }

    static func isNumeric(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
    static func isIdentifier(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }

    func compare(_ other: SemanticVersion) -> Int {
        for (a, b) in zip(core, other.core) where a != b { return a < b ? -1 : 1 }
        switch (prerelease.isEmpty, other.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        default: break
        }
        for (a, b) in zip(prerelease, other.prerelease) where a != b {
            switch (Int(a), Int(b)) {
            case (let x?, let y?): return x < y ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            default: return a < b ? -1 : 1
            }
        }
        return prerelease.count == other.prerelease.count ? 0 : (prerelease.count < other.prerelease.count ? -1 : 1)
    }
}

extension Builtins {
    /// Built-ins whose answer is random but fixed for one evaluation (`Builtin.isRemembered`).
    static let random: [String: Builtin] = [
        "uuid.rfc4122": Builtin(1, remembered: true) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.string(0)
            return .string(UUID().uuidString.lowercased())
        },
        "rand.intn": Builtin(2, remembered: true) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.string(0)
            let n = try a.integer(1)
            guard n != 0 else { return .int(0) }
            return .int(Int.random(in: 0..<abs(n)))
        },
    ]
}

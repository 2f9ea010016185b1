import Crypto
import Foundation

extension Value {
    /// SHA-256 of the canonical JSON encoding, as lower-case hex. Equal values, equal fingerprints.
    public var fingerprint: String { Value.fingerprint(ofCanonicalJSON: canonicalJSONBytes) }

    /// The fingerprint of a value whose canonical JSON the caller already wrote.
    public static func fingerprint(ofCanonicalJSON bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { SHA256.hash(data: $0).hexString }
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal text of the bytes.
    public var hexString: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(Value.hexDigits[Int(byte >> 4)])
            bytes.append(Value.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Digest {
    /// Lower-case hexadecimal text of the digest.
    public var hexString: String { withUnsafeBytes { $0.hexString } }
}

/// SHA-256 of a UTF-8 string, as lower-case hex.
public func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).hexString
}

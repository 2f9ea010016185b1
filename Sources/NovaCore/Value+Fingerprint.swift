import Crypto
import Foundation

extension Value {
    /// SHA-256 of the canonical JSON encoding, as lower-case hex. Equal values, equal fingerprints.
    public var fingerprint: String {
        SHA256.hash(data: Data(canonicalJSON.utf8)).hexString
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal text of the bytes.
    public var hexString: String {
        var out = ""
        for byte in self {
            out += String(byte >> 4, radix: 16)
            out += String(byte & 0x0F, radix: 16)
        }
        return out
    }
}

extension Digest {
    /// Lower-case hexadecimal text of the digest.
    public var hexString: String { Array(self).hexString }
}

/// SHA-256 of a UTF-8 string, as lower-case hex.
public func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).hexString
}

import Crypto
import Foundation
import NovaCore

/// Digests and HMACs (swift-crypto), as lower-case hex.
extension Builtins {
    static let crypto: [String: Builtin] = [
        "crypto.md5": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(hex(Insecure.MD5.hash(data: Data(try a.string(0).utf8)))) },
        "crypto.sha1": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(hex(Insecure.SHA1.hash(data: Data(try a.string(0).utf8)))) },
        "crypto.sha256": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(hex(SHA256.hash(data: Data(try a.string(0).utf8)))) },
        "crypto.hmac.md5": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .string(try mac(a, Insecure.MD5.self)) },
        "crypto.hmac.sha1": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .string(try mac(a, Insecure.SHA1.self)) },
        "crypto.hmac.sha256": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .string(try mac(a, SHA256.self)) },
        "crypto.hmac.sha512": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .string(try mac(a, SHA512.self)) },
        "crypto.hmac.equal": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let x = Array(try a.string(0).utf8), y = Array(try a.string(1).utf8)
            guard x.count == y.count else { return .bool(false) }
            var difference: UInt8 = 0
            for (p, q) in zip(x, y) { difference |= p ^ q }
            return .bool(difference == 0)
        },
    ]

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func mac<H: HashFunction>(_ a: Arguments, _ hash: H.Type) throws(RegoError) -> String {
        let key = SymmetricKey(data: Data(try a.string(1).utf8))
        return hex(HMAC<H>.authenticationCode(for: Data(try a.string(0).utf8), using: key))
    }
}

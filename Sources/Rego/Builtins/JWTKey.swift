import Crypto
import Foundation
import NovaCore
import SwiftASN1
import X509
import _CryptoExtras

/// A key that verifies or signs JWS signatures: from a PEM certificate or public key, a JWK,
/// or each key of a JWK set.
enum JWTKey {
    case hmac(Data)
    case rsa(_RSA.Signing.PublicKey)
    case rsaPrivate(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PublicKey), p384(P384.Signing.PublicKey), p521(P521.Signing.PublicKey)
    case p256Private(P256.Signing.PrivateKey), p384Private(P384.Signing.PrivateKey), p521Private(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PublicKey)
    case ed25519Private(Curve25519.Signing.PrivateKey)

    struct Failure: Error { let message: String }

    /// Every public key a verification string names (PEM, JWK or JWK set).
    static func publicKeys(_ text: String) throws(Failure) -> [JWTKey] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN CERTIFICATE-----") {
            do {
                let certificate = try Certificate(pemEncoded: trimmed)
                return try from(certificate.publicKey)
            } catch let failure as Failure { throw failure } catch { throw Failure(message: "failed to parse a PEM certificate") }
        }
        if trimmed.hasPrefix("-----BEGIN") {
            if let key = try? _RSA.Signing.PublicKey(unsafePEMRepresentation: trimmed) { return [.rsa(key)] }
            if let key = try? P256.Signing.PublicKey(pemRepresentation: trimmed) { return [.p256(key)] }
            if let key = try? P384.Signing.PublicKey(pemRepresentation: trimmed) { return [.p384(key)] }
            if let key = try? P521.Signing.PublicKey(pemRepresentation: trimmed) { return [.p521(key)] }
            if let key = try? Certificate.PublicKey(pemEncoded: trimmed) { return try from(key) }
            throw Failure(message: "failed to parse a PEM key")
        }
        guard let json = try? JSONParser.parse(trimmed) else { throw Failure(message: "failed to parse a JWK key (set)") }
        if case .array(let keys)? = json["keys"] { return keys.compactMap { try? jwk($0) } }
        return [try jwk(json)]
    }

    static func from(_ key: Certificate.PublicKey) throws(Failure) -> [JWTKey] {
        if let rsa = _RSA.Signing.PublicKey(key) { return [.rsa(rsa)] }
        if let p = P256.Signing.PublicKey(key) { return [.p256(p)] }
        if let p = P384.Signing.PublicKey(key) { return [.p384(p)] }
        if let p = P521.Signing.PublicKey(key) { return [.p521(p)] }
        if let e = Curve25519.Signing.PublicKey(key) { return [.ed25519(e)] }
        throw Failure(message: "unsupported public key type")
    }

    static func field(_ jwk: Value, _ name: String) throws(Failure) -> Data {
        guard let text = jwk[name]?.stringValue, let data = base64URL(text) else { throw Failure(message: "JWK is missing \(name)") }
        return data
    }

    /// A JWK (RFC 7517): `oct`, `RSA`, `EC` (P-256/384/521) or `OKP` (Ed25519), public or private.
    static func jwk(_ jwk: Value) throws(Failure) -> JWTKey {
        do {
            switch jwk["kty"]?.stringValue {
            case "oct": return .hmac(try field(jwk, "k"))
            case "RSA":
                let n = try field(jwk, "n"), e = try field(jwk, "e")
                if jwk["d"] != nil {
                    return .rsaPrivate(try _RSA.Signing.PrivateKey(n: n, e: e, d: try field(jwk, "d"), p: try field(jwk, "p"), q: try field(jwk, "q")))
                }
                return .rsa(try _RSA.Signing.PublicKey(n: n, e: e))
            case "EC":
                let x = try field(jwk, "x"), y = try field(jwk, "y")
                let d = jwk["d"] != nil ? try field(jwk, "d") : nil
                switch jwk["crv"]?.stringValue {
                case "P-256":
                    return try d.map { .p256Private(try P256.Signing.PrivateKey(rawRepresentation: $0)) }
                        ?? .p256(try P256.Signing.PublicKey(rawRepresentation: x + y))
                case "P-384":
                    return try d.map { .p384Private(try P384.Signing.PrivateKey(rawRepresentation: $0)) }
                        ?? .p384(try P384.Signing.PublicKey(rawRepresentation: x + y))
                case "P-521":
                    return try d.map { .p521Private(try P521.Signing.PrivateKey(rawRepresentation: $0)) }
                        ?? .p521(try P521.Signing.PublicKey(rawRepresentation: x + y))
                default: throw Failure(message: "unsupported EC curve")
                }
            case "OKP":
                let x = try field(jwk, "x")
                if jwk["d"] != nil { return .ed25519Private(try Curve25519.Signing.PrivateKey(rawRepresentation: try field(jwk, "d"))) }
                return .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            default: throw Failure(message: "unsupported JWK key type")
            }
        } catch let failure as Failure { throw failure } catch { throw Failure(message: "invalid JWK: \(error)") }
    }

    static func base64URL(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    /// Whether `signature` signs `input` with algorithm `alg` under this key.
    func verifies(_ alg: String, _ input: Data, _ signature: Data) -> Bool {
        switch (self, alg) {
        case (.hmac(let secret), _) where alg.hasPrefix("HS"):
            let key = SymmetricKey(data: secret)
            switch alg {
            case "HS256": return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            case "HS384": return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            case "HS512": return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: key)
            default: return false
            }
        case (.rsa(let key), _) where alg.hasPrefix("RS") || alg.hasPrefix("PS"):
            let padding: _RSA.Signing.Padding = alg.hasPrefix("PS") ? .PSS : .insecurePKCS1v1_5
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch alg.dropFirst(2) {
            case "256": return key.isValidSignature(sig, for: SHA256.hash(data: input), padding: padding)
            case "384": return key.isValidSignature(sig, for: SHA384.hash(data: input), padding: padding)
            case "512": return key.isValidSignature(sig, for: SHA512.hash(data: input), padding: padding)
            default: return false
            }
        case (.p256(let key), "ES256"):
            return (try? P256.Signing.ECDSASignature(rawRepresentation: signature)).map { key.isValidSignature($0, for: SHA256.hash(data: input)) } ?? false
        case (.p384(let key), "ES384"):
            return (try? P384.Signing.ECDSASignature(rawRepresentation: signature)).map { key.isValidSignature($0, for: SHA384.hash(data: input)) } ?? false
        case (.p521(let key), "ES512"):
            return (try? P521.Signing.ECDSASignature(rawRepresentation: signature)).map { key.isValidSignature($0, for: SHA512.hash(data: input)) } ?? false
        case (.ed25519(let key), "EdDSA"):
            return key.isValidSignature(signature, for: input)
        default:
            return false
        }
    }

    /// Signs `input` with algorithm `alg`.
    func sign(_ alg: String, _ input: Data) throws(Failure) -> Data {
        do {
            switch (self, alg) {
            case (.hmac(let secret), "HS256"): return Data(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: secret)))
            case (.hmac(let secret), "HS384"): return Data(HMAC<SHA384>.authenticationCode(for: input, using: SymmetricKey(data: secret)))
            case (.hmac(let secret), "HS512"): return Data(HMAC<SHA512>.authenticationCode(for: input, using: SymmetricKey(data: secret)))
            case (.rsaPrivate(let key), _) where alg.hasPrefix("RS") || alg.hasPrefix("PS"):
                let padding: _RSA.Signing.Padding = alg.hasPrefix("PS") ? .PSS : .insecurePKCS1v1_5
                switch alg.dropFirst(2) {
                case "256": return try key.signature(for: SHA256.hash(data: input), padding: padding).rawRepresentation
                case "384": return try key.signature(for: SHA384.hash(data: input), padding: padding).rawRepresentation
                case "512": return try key.signature(for: SHA512.hash(data: input), padding: padding).rawRepresentation
                default: break
                }
            case (.p256Private(let key), "ES256"): return try key.signature(for: SHA256.hash(data: input)).rawRepresentation
            case (.p384Private(let key), "ES384"): return try key.signature(for: SHA384.hash(data: input)).rawRepresentation
            case (.p521Private(let key), "ES512"): return try key.signature(for: SHA512.hash(data: input)).rawRepresentation
            case (.ed25519Private(let key), "EdDSA"): return try key.signature(for: input)
            default: break
            }
        } catch { throw Failure(message: "signing failed: \(error)") }
        throw Failure(message: "key does not fit algorithm \(alg)")
    }
}

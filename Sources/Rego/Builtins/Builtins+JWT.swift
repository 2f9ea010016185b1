import Foundation
import NovaCore

/// JSON Web Tokens: decoding, signature verification (HS, RS, PS, ES, EdDSA), verification with
/// claims constraints, and signing.
extension Builtins {
    static let jwt: [String: Builtin] = {
        var table: [String: Builtin] = [
            "io.jwt.decode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
                let token = try JWT(try a.string(0), a)
                return .array([token.header, token.payload, .string(hex(token.signature))])
            },
            "io.jwt.decode_verify": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in try decodeVerify(a) },
            "io.jwt.encode_sign": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
                guard case .object = a[0], case .object = a[1], case .object = a[2] else { throw a.typeError(0, "object") }
                return .string(try sign(a[0].canonicalJSON, a[1].canonicalJSON, a[2], a))
            },
            "io.jwt.encode_sign_raw": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
                let keyText = try a.string(2)
                guard let key = try? JSONParser.parse(keyText) else { throw a.failure("invalid JWK") }
                return .string(try sign(try a.string(0), try a.string(1), key, a))
            },
        ]
        for alg in ["HS256", "HS384", "HS512"] {
            table["io.jwt.verify_" + alg.lowercased()] = Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
                let token = try JWT(try a.string(0), a)
                return .bool(JWTKey.hmac(Data(try a.string(1).utf8)).verifies(alg, token.signingInput, token.signature))
            }
        }
        for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] {
            table["io.jwt.verify_" + alg.lowercased()] = Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
                let token = try JWT(try a.string(0), a)
                let keys: [JWTKey]
                let text = try a.string(1)
                do throws(JWTKey.Failure) { keys = try JWTKey.publicKeys(text) } catch { throw a.failure(error.message) }
                return .bool(keys.contains { $0.verifies(alg, token.signingInput, token.signature) })
            }
        }
        return table
    }()

    /// A compact JWS: its decoded header and payload, signature, and signed input.
    struct JWT {
        var header: Value
        var payload: Value
        var signature: Data
        var signingInput: Data

        init(_ text: String, _ a: Arguments) throws(RegoError) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 5 { throw a.failure("JWT is a JWE object, which is not supported") }
            guard parts.count == 3 else { throw a.failure("encoded JWT had no period separators") }
            guard let headerData = JWTKey.base64URL(String(parts[0])), let header = try? JSONParser.parse(String(decoding: headerData, as: UTF8.self)),
                case .object = header
            else { throw a.failure("JWT header had invalid encoding") }
            if header["enc"] != nil { throw a.failure("JWT is a JWE object, which is not supported") }
            guard let payloadData = JWTKey.base64URL(String(parts[1])) else { throw a.failure("JWT payload had invalid encoding") }
            let payloadText = String(decoding: payloadData, as: UTF8.self)
            if header["cty"]?.stringValue?.uppercased() == "JWT" {
                // A nested token: the payload is itself a JWT, whose header and payload are the answer.
                let inner = try JWT(payloadText, a)
                self = inner
                return
            }
            guard let payload = try? JSONParser.parse(payloadText), case .object = payload else { throw a.failure("JWT payload had invalid encoding") }
            guard let signature = JWTKey.base64URL(String(parts[2])) else { throw a.failure("JWT signature had invalid encoding") }
            self.header = header
            self.payload = payload
            self.signature = signature
            signingInput = Data((parts[0] + "." + parts[1]).utf8)
        }
    }

    static func sign(_ header: String, _ payload: String, _ keyValue: Value, _ a: Arguments) throws(RegoError) -> String {
        guard let parsed = try? JSONParser.parse(header), let alg = parsed["alg"]?.stringValue else { throw a.failure("header has no alg") }
        if parsed["typ"]?.stringValue == "JWT", (try? JSONParser.parse(payload))?.objectValue == nil {
            throw a.failure("type is JWT but payload is not JSON")
        }
        let input = base64url(Data(header.utf8), padded: false) + "." + base64url(Data(payload.utf8), padded: false)
        do throws(JWTKey.Failure) {
            let signature = try JWTKey.jwk(keyValue).sign(alg, Data(input.utf8))
            return input + "." + base64url(signature, padded: false)
        } catch {
            throw a.failure(error.message)
        }
    }

    /// `io.jwt.decode_verify`: [valid, header, payload], or [false, {}, {}] when the signature
    /// or a constraint (alg, iss, aud, exp and nbf at `time`) fails.
    static func decodeVerify(_ a: Arguments) throws(RegoError) -> Value {
        let constraints = try a.object(1)
        let invalid: Value = .array([false, .emptyObject, .emptyObject])
        var keys: [JWTKey] = []
        for key in constraints.keys {
            guard let name = key.stringValue, ["cert", "secret", "alg", "iss", "aud", "time"].contains(name) else {
                throw a.failure("unknown token validation constraint: \(key.regoText)")
            }
        }
        switch (constraints["cert"], constraints["secret"]) {
        case (.string(let cert)?, nil):
            do throws(JWTKey.Failure) { keys = try JWTKey.publicKeys(cert) } catch { throw a.failure(error.message) }
        case (nil, .string(let secret)?): keys = [.hmac(Data(secret.utf8))]
        case (nil, nil): throw a.failure("no key or secret in constraints")
        default: throw a.failure("constraints must have exactly one string cert or secret")
        }
        guard let token = try? JWT(try a.string(0), a), let alg = token.header["alg"]?.stringValue else { return invalid }
        // Critical extensions this verifier does not understand make the token invalid (RFC 7515 §4.1.11).
        if token.header["crit"] != nil { return invalid }
        if let wanted = constraints["alg"], wanted != .string(alg) { return invalid }
        guard keys.contains(where: { $0.verifies(alg, token.signingInput, token.signature) }) else { return invalid }
        let now: Double
        if let time = constraints["time"] {
            guard let n = time.numberValue else { throw a.failure("time must be a number") }
            now = n.doubleValue / 1e9
        } else {
            now = Date().timeIntervalSince1970
        }
        if let exp = token.payload["exp"] {
            guard let e = exp.numberValue else { throw a.failure("exp value must be a number") }
            if now >= e.doubleValue { return invalid }
        }
        if let nbf = token.payload["nbf"] {
            guard let n = nbf.numberValue else { throw a.failure("nbf value must be a number") }
            if now < n.doubleValue { return invalid }
        }
        if let iss = constraints["iss"], token.payload["iss"] != iss { return invalid }
        switch (token.payload["aud"], constraints["aud"]) {
        case (nil, nil): break
        case (.string(let aud)?, .string(let wanted)?): if aud != wanted { return invalid }
        case (.array(let auds)?, let wanted?): if !auds.contains(wanted) { return invalid }
        default: return invalid
        }
        return .array([true, token.header, token.payload])
    }
}

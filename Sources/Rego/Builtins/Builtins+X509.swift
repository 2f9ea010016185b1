import Crypto
import Foundation
import NovaCore
import SwiftASN1
import X509
import _CryptoExtras

/// X.509 certificates, requests and keys (swift-certificates), as objects shaped like the Go
/// structures OPA returns (`Subject.CommonName`, `DNSNames`, `URIStrings`, …; absent lists are
/// null).
extension Builtins {
    static let x509: [String: Builtin] = [
        "crypto.x509.parse_certificates": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            .array(try certificates(a, 0).map(certificateValue))
        },
        "crypto.x509.parse_and_verify_certificates": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            // The chain may be given leaf first or root first; the answer lists it leaf first.
            let given = try certificates(a, 0)
            let chain = verifies(given) ? given : Array(given.reversed())
            return .array([.bool(verifies(chain)), .array(chain.map(certificateValue))])
        },
        "crypto.x509.parse_certificate_request": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0)
            for candidate in [text] + [decodedBase64(text)].compactMap({ $0 }) {
                if candidate.contains("-----BEGIN"), let csr = try? CertificateSigningRequest(pemEncoded: candidate) { return requestValue(csr) }
                if let csr = try? CertificateSigningRequest(derEncoded: Array(Data(base64Encoded: candidate) ?? Data())) { return requestValue(csr) }
            }
            throw a.failure("x509: failed to parse certificate request")
        },
        "crypto.x509.parse_keypair": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let certs = try certificates(a, 0)
            let keyText = try a.string(1)
            let pem = keyText.contains("-----BEGIN") ? keyText : (decodedBase64(keyText) ?? "")
            guard
                (try? _RSA.Signing.PrivateKey(pemRepresentation: pem)) != nil || (try? P256.Signing.PrivateKey(pemRepresentation: pem)) != nil
                    || (try? P384.Signing.PrivateKey(pemRepresentation: pem)) != nil || (try? Certificate.PrivateKey(pemEncoded: pem)) != nil
            else {
                throw a.failure("tls: failed to parse private key")
            }
            return ["Certificate": .array(certs.map { cert in .string(derBase64(cert)) })]
        },
        "crypto.x509.parse_rsa_private_key": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0)
            let pem = text.contains("-----BEGIN") ? text : (decodedBase64(text) ?? "")
            guard let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else { throw a.failure("failed to parse an RSA private key") }
            return rsaJWK(key)
        },
        "crypto.parse_private_keys": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0)
            guard !text.isEmpty else { return .null }
            let pem = text.contains("-----BEGIN") ? text : (decodedBase64(text) ?? "")
            var keys: [Value] = []
            for block in pemBlocks(pem) {
                if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: block) {
                    keys.append(rsaJWK(key))
                } else if let key = try? P256.Signing.PrivateKey(pemRepresentation: block) {
                    keys.append(ecJWK("P-256", key.publicKey.rawRepresentation, key.rawRepresentation))
                } else if let key = try? P384.Signing.PrivateKey(pemRepresentation: block) {
                    keys.append(ecJWK("P-384", key.publicKey.rawRepresentation, key.rawRepresentation))
                }
            }
            return .array(keys)
        },
    ]

    static func decodedBase64(_ text: String) -> String? {
        Data(base64Encoded: text.filter { !$0.isWhitespace }).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func pemBlocks(_ text: String) -> [String] {
        var blocks: [String] = [], current: [Substring] = []
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("-----BEGIN") {
                current = [line]
            } else if line.hasPrefix("-----END") {
                current.append(line)
                blocks.append(current.joined(separator: "\n"))
                current = []
            } else if !current.isEmpty {
                current.append(line)
            }
        }
        return blocks
    }

    /// PEM text, base64 of PEM, or base64 of one or more DER certificates.
    static func certificates(_ a: Arguments, _ i: Int) throws(RegoError) -> [Certificate] {
        let text = try a.string(i)
        let pem = text.contains("-----BEGIN") ? text : decodedBase64(text).flatMap { $0.contains("-----BEGIN") ? $0 : nil }
        if let pem {
            let certs = pemBlocks(pem).compactMap { try? Certificate(pemEncoded: $0) }
            guard !certs.isEmpty else { throw a.failure("x509: failed to parse certificate") }
            return certs
        }
        guard let der = Data(base64Encoded: text.filter { !$0.isWhitespace }) else { throw a.failure("x509: illegal base64 data") }
        var bytes = Array(der)[...]
        var certs: [Certificate] = []
        while !bytes.isEmpty {
            guard let length = derLength(bytes), length <= bytes.count, let cert = try? Certificate(derEncoded: Array(bytes.prefix(length))) else {
                throw a.failure("x509: malformed certificate")
            }
            certs.append(cert)
            bytes = bytes.dropFirst(length)
        }
        guard !certs.isEmpty else { throw a.failure("x509: no certificates") }
        return certs
    }

    /// The total length of the DER element at the start of `bytes`.
    static func derLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let start = bytes.startIndex, first = Int(bytes[start + 1])
        if first < 0x80 { return 2 + first }
        let count = first & 0x7F
        guard count > 0, count <= 4, bytes.count >= 2 + count else { return nil }
        var length = 0
        for i in 0..<count { length = length << 8 | Int(bytes[start + 2 + i]) }
        return 2 + count + length
    }

    static func derBase64(_ certificate: Certificate) -> String {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return Data(serializer.serializedBytes).base64EncodedString()
    }

    static func nameValue(_ name: DistinguishedName) -> Value {
        var fields: [String: [String]] = [:]
        var names: [Value] = []
        let keys: [ASN1ObjectIdentifier: String] = [
            [2, 5, 4, 6]: "Country", [2, 5, 4, 10]: "Organization", [2, 5, 4, 11]: "OrganizationalUnit", [2, 5, 4, 7]: "Locality",
            [2, 5, 4, 8]: "Province", [2, 5, 4, 9]: "StreetAddress", [2, 5, 4, 17]: "PostalCode", [2, 5, 4, 5]: "SerialNumber", [2, 5, 4, 3]: "CommonName",
        ]
        for rdn in name {
            for attribute in rdn {
                let text = String(attribute.value) ?? attribute.value.description
                names.append(["Type": .array(attribute.type.oidComponents.map { .int(Int($0)) }), "Value": .string(text)])
                if let key = keys[attribute.type] { fields[key, default: []].append(text) }
            }
        }
        func list(_ key: String) -> Value { fields[key].map { .array($0.map(Value.string)) } ?? .null }
        return [
            "Country": list("Country"), "Organization": list("Organization"), "OrganizationalUnit": list("OrganizationalUnit"),
            "Locality": list("Locality"), "Province": list("Province"), "StreetAddress": list("StreetAddress"), "PostalCode": list("PostalCode"),
            "SerialNumber": .string(fields["SerialNumber"]?.first ?? ""), "CommonName": .string(fields["CommonName"]?.first ?? ""),
            "Names": .array(names), "ExtraNames": .null,
        ]
    }

    static func alternativeNames(_ extensions: Certificate.Extensions) -> (dns: Value, email: Value, ip: Value, uri: Value) {
        var dns: [Value] = [], email: [Value] = [], ip: [Value] = [], uri: [Value] = []
        if let names = try? extensions.subjectAlternativeNames {
            for name in names {
                switch name {
                case .dnsName(let s): dns.append(.string(s))
                case .rfc822Name(let s): email.append(.string(s))
                case .uniformResourceIdentifier(let s): uri.append(.string(s))
                case .ipAddress(let octets):
                    let bytes = Array(octets.bytes)
                    ip.append(
                        .string(
                            bytes.count == 4
                                ? bytes.map(String.init).joined(separator: ".") : Network.text(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }, v4: false)))
                default: break
                }
            }
        }
        func list(_ items: [Value]) -> Value { items.isEmpty ? .null : .array(items) }
        return (list(dns), list(email), list(ip), list(uri))
    }

    static func certificateValue(_ certificate: Certificate) -> Value {
        let formatter = ISO8601DateFormatter()
        let names = alternativeNames(certificate.extensions)
        let basic = try? certificate.extensions.basicConstraints
        var isCA = false
        if case .isCertificateAuthority? = basic { isCA = true }
        let serialBytes = certificate.serialNumber.bytes
        let serial =
            serialBytes.count <= 7 ? Value.int(serialBytes.reduce(0) { $0 << 8 | Int($1) }) : .double(serialBytes.reduce(0.0) { $0 * 256 + Double($1) })
        return [
            "Version": .int(certificate.version == .v3 ? 3 : 1), "SerialNumber": serial,
            "Subject": nameValue(certificate.subject), "Issuer": nameValue(certificate.issuer),
            "NotBefore": .string(formatter.string(from: certificate.notValidBefore)), "NotAfter": .string(formatter.string(from: certificate.notValidAfter)),
            "DNSNames": names.dns, "EmailAddresses": names.email, "IPAddresses": names.ip, "URIStrings": names.uri,
            "IsCA": .bool(isCA), "BasicConstraintsValid": .bool(basic != nil), "Raw": .string(derBase64(certificate)),
        ]
    }

    static func requestValue(_ request: CertificateSigningRequest) -> Value {
        ["Version": .int(0), "Subject": nameValue(request.subject), "DNSNames": .null, "EmailAddresses": .null, "IPAddresses": .null, "URIs": .null]
    }

    /// Whether each certificate of the chain is signed by the next, the last by itself, within
    /// their validity periods.
    static func verifies(_ chain: [Certificate]) -> Bool {
        let now = Date()
        for (i, certificate) in chain.enumerated() {
            guard certificate.notValidBefore <= now, now <= certificate.notValidAfter else { return false }
            let issuer = i + 1 < chain.count ? chain[i + 1] : certificate
            guard issuer.subject == certificate.issuer, issuer.publicKey.isValidSignature(certificate.signature, for: certificate) else { return false }
        }
        return !chain.isEmpty
    }

    static func rsaJWK(_ key: _RSA.Signing.PrivateKey) -> Value {
        // The DER of an RSAPrivateKey: version, n, e, d, p, q, dp, dq, qi.
        let der = Array(key.derRepresentation)
        var fields: [[UInt8]] = []
        if let node = try? DER.parse(der), case .constructed(let children) = node.content {
            for child in children { if case .primitive(let bytes) = child.content { fields.append(Array(bytes.drop { $0 == 0 })) } }
        }
        let names = ["version", "n", "e", "d", "p", "q", "dp", "dq", "qi"]
        var jwk: [Value: Value] = ["kty": "RSA"]
        for (name, bytes) in zip(names, fields) where name != "version" { jwk[.string(name)] = .string(base64url(Data(bytes), padded: false)) }
        return .object(jwk)
    }

    static func ecJWK(_ curve: String, _ publicKey: Data, _ privateKey: Data) -> Value {
        let half = publicKey.count / 2
        return [
            "kty": "EC", "crv": .string(curve), "x": .string(base64url(publicKey.prefix(half), padded: false)),
            "y": .string(base64url(publicKey.suffix(half), padded: false)), "d": .string(base64url(privateKey, padded: false)),
        ]
    }
}

import Crypto
import Foundation
import SwiftASN1
import X509

/// The provider's TLS identity for go-plugin's automatic mutual TLS: a fresh P-256 key and a
/// self-signed certificate for `localhost`, made at every start (go-plugin does the same), so
/// nothing secret is ever stored.
struct PluginCertificate {
    let certificateDER: [UInt8]
    let privateKeyPEM: String

    static func make(now: Date = Date()) throws -> PluginCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("NovaCron")
            CommonName("localhost")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName("localhost")])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return PluginCertificate(certificateDER: serializer.serializedBytes, privateKeyPEM: key.pemRepresentation)
    }

    /// The certificate as go-plugin's handshake line carries it: DER in base64 without padding.
    var handshakeText: String {
        Data(certificateDER).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}

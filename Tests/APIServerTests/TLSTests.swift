import APIServer
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOSSL
import NovaCore
import NovaCronTesting
import Testing

/// `--tls-cert/--tls-key` serve HTTPS. The certificate is made with the openssl command, which
/// Debian ships; the test says so and is skipped where it is missing.
@Suite struct TLSTests {
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: TLSTests.openssl != nil, "needs the openssl command to make a certificate"))
    func servesHTTPSWithTheGivenCertificate() async throws {
        let directory = try ScratchDirectory.make("tls")
        let cert = directory.appendingPathComponent("tls.crt").path, key = directory.appendingPathComponent("tls.key").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TLSTests.openssl!)
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)

        let env = TestEnvironment()
        let server = NovaCronServer(
            configuration: ServerConfiguration(port: 0, tlsCertificatePath: cert, tlsKeyPath: key),
            controlPlane: env.controlPlane, driver: env.simulator)
        let (ports, portFeed) = AsyncStream<Int>.makeStream()
        let app = try server.makeApplication { port in portFeed.yield(port) }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        tls.certificateVerification = .noHostnameVerification
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
            #expect(response.status.code == 200)
            let body = String(buffer: try await response.body.collect(upTo: 1024))
            #expect(body.contains("ok"))
            // Plain HTTP to the TLS port is refused.
            await #expect(throws: (any Error).self) {
                _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(2))
            }
            group.cancelAll()
        }
        try await client.shutdown()
    }

    @Test func missingKeyIsAClearError() throws {
        let env = TestEnvironment()
        let server = NovaCronServer(
            configuration: ServerConfiguration(port: 0, tlsCertificatePath: "/nonexistent.crt"),
            controlPlane: env.controlPlane, driver: env.simulator)
        #expect {
            _ = try server.makeApplication()
        } throws: { "\($0)".contains("--tls-key") }
    }
}

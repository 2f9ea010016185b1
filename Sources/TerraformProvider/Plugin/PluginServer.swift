import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Runs the provider as Terraform starts it (HashiCorp go-plugin): checks the magic cookie,
/// agrees on protocol 6, serves gRPC with automatic mutual TLS on a unix socket, and announces
/// itself with the handshake line on stdout.
public enum PluginServer {
    static let magicCookieKey = "TF_PLUGIN_MAGIC_COOKIE"
    static let magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
    static let protocolVersion = 6

    /// Why the process cannot serve, said for a person who ran it by hand.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Checks the environment Terraform sets. Pure, so the refusal messages are testable.
    static func checkEnvironment(_ environment: [String: String]) throws(StartError) {
        guard environment[magicCookieKey] == magicCookieValue else {
            throw StartError(
                description: """
                    This is terraform-provider-novacron \(NovaCronProvider.version), a Terraform plugin: Terraform starts it, people do not.
                    To use it, name it in a configuration:
                      terraform { required_providers { novacron = { source = "novacron/novacron" } } }
                    and point Terraform at the directory holding this binary (a dev_overrides block in the
                    CLI configuration; see examples/terraform/README.md).
                    """)
        }
        if let offered = environment["PLUGIN_PROTOCOL_VERSIONS"] {
            let versions = offered.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard versions.contains(protocolVersion) else {
                throw StartError(
                    description: "Terraform offers plugin protocol versions \(offered); this provider speaks only \(protocolVersion) (Terraform 1.0 or later).")
            }
        }
    }

    /// Serves until Terraform shuts the plugin down (or the process is killed).
    public static func run(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        announce: @Sendable (String) -> Void = { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    ) async throws {
        try checkEnvironment(environment)
        let directory = try privateDirectory(in: environment["PLUGIN_UNIX_SOCKET_DIR"] ?? NSTemporaryDirectory())
        let socketPath = (directory as NSString).appendingPathComponent("plugin.sock")
        defer {
            unlink(socketPath)
            rmdir(directory)
        }

        let security: HTTP2ServerTransport.Posix.TransportSecurity
        var certificateText = ""
        if environment["TF_DISABLE_PLUGIN_TLS"] == "1" || environment["PLUGIN_CLIENT_CERT"] == nil {
            security = .plaintext
        } else {
            let identity = try PluginCertificate.make()
            certificateText = identity.handshakeText
            // The server does not ask for Terraform's client certificate: go-plugin issues P-521
            // certificates, which BoringSSL (under NIOSSL) does not offer to verify, so Go's TLS
            // client would send none and the handshake would fail. Who may connect is instead
            // limited by the socket living in a directory only this user can enter.
            security = .tls(
                certificateChain: [.bytes(identity.certificateDER, format: .der)],
                privateKey: .bytes(Array(identity.privateKeyPEM.utf8), format: .pem))
        }

        let transport = HTTP2ServerTransport.Posix(address: .unixDomainSocket(path: socketPath), transportSecurity: security)
        let shutdown = ShutdownSignal()
        let server = GRPCServer(
            transport: transport,
            services: [
                ProviderService(provider: NovaCronProvider(environment: environment)),
                ControllerService(onShutdown: { shutdown.fire() }),
            ])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            _ = try await transport.listeningAddress
            announce("1|\(protocolVersion)|unix|\(socketPath)|grpc|\(certificateText)")
            group.addTask {
                await shutdown.wait()
                server.beginGracefulShutdown()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// A fresh directory only this user may enter (mode 0700), for the socket.
private func privateDirectory(in parent: String) throws -> String {
    var template = Array((parent as NSString).appendingPathComponent("novacron-plugin-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw PluginServer.StartError(description: "cannot create a socket directory in \(parent): \(String(cString: strerror(errno)))")
    }
    return String(cString: made)
}

/// A one-shot signal from the controller's Shutdown RPC to the serving task.
private final class ShutdownSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    func fire() { continuation.yield() }

    func wait() async {
        for await _ in stream { return }
    }
}

import Foundation
import NovaCronTesting
import Testing

@testable import TerraformProvider

/// The built `terraform-provider-novacron` binary, started as Terraform starts it and as a
/// person might by mistake. Each test ends only the process it started, by PID.
@Suite struct PluginProcessTests {
    func start(environment: [String: String]) throws -> (Process, Pipe, Pipe)? {
        guard let binary = ServerProcess.executable(named: "terraform-provider-novacron") else {
            Issue.record("terraform-provider-novacron was not built beside the tests")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    func readLine(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = pipe.fileHandleForReading.readData(ofLength: 1)
                    if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                    bytes.append(contentsOf: chunk)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    func waitForExit(_ process: Process) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    @Test func startedByHandItExplainsAndExitsNonZero() async throws {
        guard let (process, _, errors) = try start(environment: ["PATH": "/usr/bin:/bin"]) else { return }
        await waitForExit(process)
        #expect(process.terminationStatus == 1)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("Terraform plugin"))
        #expect(message.contains("required_providers"))
    }

    @Test func announcesAPrivateSocketAndACertificate() async throws {
        let socketDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("nc-plugin-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: socketDirectory) }
        let certificate = try PluginCertificate.make()
        let pem =
            "-----BEGIN CERTIFICATE-----\n\(Data(certificate.certificateDER).base64EncodedString(options: .lineLength64Characters))\n-----END CERTIFICATE-----\n"
        guard
            let (process, output, _) = try start(environment: [
                PluginServer.magicCookieKey: PluginServer.magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
                "PLUGIN_CLIENT_CERT": pem, "PLUGIN_UNIX_SOCKET_DIR": socketDirectory.path,
            ])
        else { return }
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let line = await readLine(output)
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        try #require(fields.count == 6, "handshake line: \(line)")
        #expect(fields[0] == "1" && fields[1] == "6" && fields[2] == "unix" && fields[4] == "grpc")
        #expect(fields[3].hasPrefix(socketDirectory.path))
        #expect(FileManager.default.fileExists(atPath: fields[3]))
        let directory = URL(fileURLWithPath: fields[3]).deletingLastPathComponent().path
        let mode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(!fields[5].isEmpty && !fields[5].hasSuffix("="))
        // Ctrl-C is Terraform's to handle: the provider outlives it.
        kill(process.processIdentifier, SIGINT)
        try await Task.sleep(for: .milliseconds(200))
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGKILL)
        await waitForExit(process)
    }
}

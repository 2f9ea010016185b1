import Foundation
import NovaCore
import NovaCronClient

/// A `novacron serve` child process on a loopback port it picks, in a data directory the test owns.
/// Only this process is ever signalled, by its PID.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked: the fields are set once in `start` before the object is shared, then only read.
    public let process = Process()
    public private(set) var port = 0
    public let dataDirectory: String

    /// The `novacron` binary built beside the test bundle, or nil when it was not built.
    public static var binary: String? { executable(named: "novacron") }

    /// An executable built beside the test bundle, or nil when it was not built.
    public static func executable(named name: String) -> String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// More `serve` options (`--allow-command /bin/sh`).
    public let arguments: [String]

    public init(dataDirectory: String, arguments: [String] = []) {
        self.dataDirectory = dataDirectory
        self.arguments = arguments
    }

    /// Starts the server and waits until it says where it listens. The blocking reads run on a
    /// thread of their own: on Swift's cooperative pool or a global dispatch queue (as many
    /// threads as cores on Linux) they would hold one of the few threads every test shares.
    public func start(binary: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try self.startBlocking(binary: binary) }) }.start()
        }
    }

    private func startBlocking(binary: String) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0", "--log-level", "warning"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = errors.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while port == 0, Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: #"serving http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last ?? "") ?? 0
            }
        }
        guard port != 0 else { throw NovaError(.unavailable, "novacron serve did not start: \(text)") }
    }

    public var adminKey: String {
        let data = FileManager.default.contents(atPath: dataDirectory + "/admin.key") ?? Data()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var client: NovaCronClient { NovaCronClient(baseURL: "http://127.0.0.1:\(port)", apiKey: adminKey) }

    /// Sends `signal` and waits (off the shared threads) until the process has gone.
    ///
    /// The process is recognised by its command line (its PID and this data directory), not by
    /// Foundation's `isRunning`: with many children starting and ending at once (the Terraform
    /// tests), that flag was once seen false for a server still running, which then outlived
    /// the tests. A PID whose command line is not this server's is never signalled.
    public func kill(_ signal: Int32) async {
        guard isAlive else { return }
        Foundation.kill(process.processIdentifier, signal)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                let deadline = Date().addingTimeInterval(30)
                while self.isAlive, Date() < deadline { usleep(10_000) }
                // A server that ignored the signal is not left behind the tests (one that never
                // exited on SIGTERM once outlived them).
                if self.isAlive, signal != SIGKILL {
                    Foundation.kill(self.process.processIdentifier, SIGKILL)
                    while self.isAlive, Date() < deadline.addingTimeInterval(10) { usleep(10_000) }
                }
                continuation.resume()
            }.start()
        }
    }

    /// For `defer`: signals without waiting.
    public func signal(_ signal: Int32) {
        if isAlive { Foundation.kill(process.processIdentifier, signal) }
    }

    /// Whether the server's process still runs.
    public var isRunning: Bool { isAlive }

    /// Whether this server's process still runs: its PID's command line names our data directory
    /// (an exited child's is empty until it is reaped; a reused PID's is someone else's).
    var isAlive: Bool {
        let pid = process.processIdentifier
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return process.isRunning }
        return String(decoding: data, as: UTF8.self).contains(dataDirectory)
    }
}

import Foundation
import NovaCore

/// Runs a program with an argument vector, never through a shell, so parameters cannot be
/// pasted into a command line. Input: `argv` (list of strings, the first being the program —
/// a path, or a name looked up in PATH), optional `env` (map), `workingDirectory`, `stdin`,
/// `allowedExitCodes` (default [0]). Output: `exitCode`, `stdout`, `stderr` (each capped).
///
/// Confined (`allowedPrograms` set, as `novacron serve` always sets it): only the listed
/// programs run — none when the list is empty, the server's default — with none of the
/// server's environment (its secrets) but a plain PATH, in a scratch directory, and, when the
/// server runs as root, as the unprivileged user `nobody`, so the data directory (0700) and its
/// keys are out of reach. Either way the program is killed when the server dies (a `kill -9`
/// included), so a step resumed after a crash never runs beside its orphan.
public struct CommandAction: WorkflowAction {
    public static let outputLimit = 64 * 1024

    /// Real paths of the programs a confined action may run; nil: any program, with the
    /// server's environment (the engine's default, for tests and embedding).
    public let allowedPrograms: Set<String>?

    /// - Parameter allowedPrograms: paths, or names looked up in the confined PATH.
    public init(allowedPrograms: [String]? = nil) {
        self.allowedPrograms = allowedPrograms.map { programs in
            Set(
                programs.compactMap { program in
                    (try? Self.resolve(program, path: Self.confinedPath)).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
                })
        }
    }
    public var name: String { "command" }

    static let confinedPath = "/usr/local/bin:/usr/bin:/bin"
    /// util-linux's setpriv sets the parent-death signal and drops privileges, then runs the program.
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    public func run(_ input: Value, context: ActionContext) async throws -> Value {
        guard let argv = input["argv"]?.arrayValue?.compactMap(\.stringValue), !argv.isEmpty,
            argv.count == input["argv"]?.arrayValue?.count
        else {
            throw StepError(code: "invalid_input", message: "command needs argv: a non-empty list of strings", isRetryable: false)
        }
        let program = try Self.resolve(argv[0], path: allowedPrograms == nil ? nil : Self.confinedPath)
        if let allowedPrograms {
            guard !allowedPrograms.isEmpty else {
                throw StepError(
                    code: "command_disabled",
                    message: "the command action is off: start the server with --allow-command PROGRAM for each program steps may run",
                    isRetryable: false)
            }
            guard allowedPrograms.contains(URL(fileURLWithPath: program).resolvingSymlinksInPath().path) else {
                throw StepError(
                    code: "command_not_allowed", message: "\(argv[0]) is not among the programs the server allows (--allow-command)", isRetryable: false)
            }
        }
        let process = Process()
        var launch = [program] + argv.dropFirst()
        var scratch: URL?
        if let setpriv = Self.setpriv {
            var options = ["--pdeathsig", "KILL"]
            if allowedPrograms != nil, geteuid() == 0 { options += ["--reuid", "65534", "--regid", "65534", "--clear-groups"] }
            launch = [setpriv] + options + ["--"] + launch
        }
        process.executableURL = URL(fileURLWithPath: launch[0])
        process.arguments = Array(launch.dropFirst())
        var environment = allowedPrograms == nil ? ProcessInfo.processInfo.environment : ["PATH": Self.confinedPath, "LANG": "C.UTF-8"]
        if allowedPrograms != nil {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("novacron-step-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if geteuid() == 0 { chown(directory.path, 65534, 65534) }
            scratch = directory
            environment["HOME"] = directory.path
            process.currentDirectoryURL = directory
        }
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        for (key, value) in input["env"]?.objectValue ?? [:] {
            if let k = key.stringValue { environment[k] = value.stringValue ?? value.canonicalJSON }
        }
        process.environment = environment
        if let directory = input["workingDirectory"]?.stringValue { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let allowed = input["allowedExitCodes"]?.arrayValue?.compactMap(\.intValue) ?? [0]
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            finished.continuation.yield($0.terminationStatus); finished.continuation.finish()
        }
        do { try await ProcessLauncher.launch(process) } catch {
            throw StepError(code: "command_not_started", message: "cannot start \(argv[0]): \(error.localizedDescription)", isRetryable: false)
        }
        if let text = input["stdin"]?.stringValue { stdin.fileHandleForWriting.write(Data(text.utf8)) }
        try? stdin.fileHandleForWriting.close()
        async let out = Self.read(stdout.fileHandleForReading)
        async let err = Self.read(stderr.fileHandleForReading)
        let status: Int32 = await withTaskCancellationHandler {
            var iterator = finished.stream.makeAsyncIterator()
            return await iterator.next() ?? -1
        } onCancel: {
            Self.stop(process)
        }
        let (output, errors) = await (out, err)
        if Task.isCancelled { throw CancellationError() }
        let result: Value = ["exitCode": .int(Int(status)), "stdout": .string(output), "stderr": .string(errors)]
        guard allowed.contains(Int(status)) else {
            let tail = errors.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw StepError(code: "command_failed", message: "\(argv[0]) exited with \(status)\(tail.isEmpty ? "" : ": \(tail)")")
        }
        return result
    }

    /// SIGTERM, then SIGKILL a second later. The kill matters: a server that handles SIGTERM
    /// itself (swift-service-lifecycle sets it to ignored) passes that disposition on to every
    /// child it spawns, so a child may never see the SIGTERM.
    static func stop(_ process: Process) {
        let pid = process.processIdentifier
        process.terminate()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }

    static func resolve(_ program: String, path: String? = nil) throws -> String {
        if program.contains("/") { return program }
        for directory in (path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw StepError(code: "command_not_found", message: "\(program) is not on PATH", isRetryable: false)
    }

    /// Reads a pipe to its end on a thread of its own. A blocking read on Swift's cooperative
    /// pool would stall every other task until the program exits; on a dispatch queue it did
    /// too, less visibly: Linux's global queues run on as many threads as there are cores, so a
    /// long command's two reads held both of a two-core machine's, and timers, timeouts and
    /// `stop`'s SIGKILL waited for the program to end by itself (seen as 29 s runs of tests
    /// that cut a 30 s command short, when the machine was busy).
    static func read(_ handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // Keeps the first `outputLimit` bytes and drains the rest, so a program that
                // writes gigabytes costs the server no more than that.
                var kept = Data()
                while let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                    if kept.count < outputLimit { kept.append(chunk.prefix(outputLimit - kept.count)) }
                }
                continuation.resume(returning: String(decoding: kept, as: UTF8.self))
            }
            thread.name = "novacron.command-output"
            thread.stackSize = 256 << 10
            thread.start()
        }
    }
}

import ControlPlane
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient
import NovaCronTesting
import Persistence
import Testing
import Workflow

/// The durability promise, tested as a user would meet it: `kill -9` the server in the middle of
/// a run, start it again, and the run finishes without repeating a committed step.
@Suite(
    .enabled(
        if: ServerProcess.binary != nil || ProcessInfo.processInfo.environment["CI"] == "true",
        "needs the novacron binary beside the tests (swift build first)"))
struct WorkflowCrashTests {
    /// Steps run confined (as `nobody` when the server is root): the marker directory is theirs too.
    static func sharedScratch(_ name: String) throws -> String {
        let directory = try ScratchDirectory.make(name).path
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        return directory
    }

    @Test func aRunSurvivesKillMinus9WithoutRepeatingCommittedSteps() async throws {
        let binary = try #require(ServerProcess.binary, "the novacron binary must be built under CI")
        let directory = try Self.sharedScratch("crash")
        let marker = directory + "/ran.txt"
        // Each step takes 0.4 s, so the eight left after the kill's trigger leave this test 3 s to
        // deliver it even on a loaded machine (at 0.15 s, a CI run sharing two cores with a
        // release build saw the run finish before the kill landed).
        let steps = (1...12).map { "s\($0)" }
        var definition: [String: Value] = ["name": "crashy"]
        definition["steps"] = .array(
            steps.enumerated().map { i, name in
                var step: [String: Value] = [
                    "name": .string(name), "action": "command",
                    "inputs": ["argv": ["/bin/sh", "-c", "echo \"$0\" >> \"$1\"; sleep 0.4", .string(name), .string(marker)]],
                ]
                if i > 0 { step["dependsOn"] = [.string(steps[i - 1])] }
                return .object(step)
            })

        let first = ServerProcess(dataDirectory: directory + "/data", arguments: ["--allow-command", "/bin/sh"])
        try await first.start(binary: binary)
        defer { first.signal(SIGKILL) }
        try await first.client.send(.POST, "/v1/workflows", json: .object(definition))
        let run = try #require(try await first.client.send(.POST, "/v1/workflows/crashy/runs", json: [:]).body?["id"]?.stringValue)
        while lines(marker).count < 4 { try await Task.sleep(for: .milliseconds(10)) }
        await first.kill(SIGKILL)

        let committed = try await SQLiteStore(path: directory + "/data/novacron.sqlite").checkpoints(run: run).map(\.task.step)
        #expect(committed.count >= 3 && committed.count < 12)

        let second = ServerProcess(dataDirectory: directory + "/data", arguments: ["--allow-command", "/bin/sh"])
        try await second.start(binary: binary)
        defer { second.signal(SIGTERM) }
        var status = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            status = try await second.client.send(.GET, "/v1/runs/\(run)").body?["run"]?["status"]?.stringValue ?? ""
            if status != "running" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status == "succeeded")
        let ran = lines(marker)
        for step in committed { #expect(ran.filter { $0 == step }.count == 1, "\(step) was committed before the kill and must not run again") }
        for step in steps { #expect(ran.contains(step), "\(step) never ran") }
        #expect(ran.count <= steps.count + 1, "at most the step in flight at the kill runs twice: \(ran)")
        let history = try await second.client.send(.GET, "/v1/runs/\(run)/history").body?["items"]?.arrayValue ?? []
        #expect(history.contains { $0["type"] == "resumed" })
        #expect(Set(try await SQLiteStore(path: directory + "/data/novacron.sqlite").checkpoints(run: run).map(\.task.step)) == Set(steps))
    }

    /// Found: a step's program lived on after `kill -9` of the server, and the resumed step ran
    /// beside its orphan. Now the program dies with the server.
    @Test func aCommandDiesWithTheServer() async throws {
        let binary = try #require(ServerProcess.binary, "the novacron binary must be built under CI")
        let directory = try Self.sharedScratch("orphan")
        let pidFile = directory + "/pid"
        let server = ServerProcess(dataDirectory: directory + "/data", arguments: ["--allow-command", "/bin/sh"])
        try await server.start(binary: binary)
        defer { server.signal(SIGKILL) }
        let definition: Value = [
            "name": "long",
            "steps": [
                [
                    "name": "wait", "action": "command",
                    "inputs": ["argv": ["/bin/sh", "-c", "echo $$ > \"$0\"; exec sleep 60", .string(pidFile)]],
                ]
            ],
        ]
        try await server.client.send(.POST, "/v1/workflows", json: definition)
        try await server.client.send(.POST, "/v1/workflows/long/runs", json: [:])
        var pid: Int32 = 0
        let deadline = Date().addingTimeInterval(30)
        while pid == 0, Date() < deadline {
            pid = Int32(lines(pidFile).first ?? "") ?? 0
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(pid > 0)
        #expect(kill(pid, 0) == 0, "the step's program runs")
        await server.kill(SIGKILL)
        var alive = true
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(50))
            alive = kill(pid, 0) == 0 && !Self.isZombie(pid)
        }
        #expect(!alive, "the step's program outlived the server")
    }

    /// SIGTERM ends the server promptly, every service included (found: the audit
    /// checkpointer ignored graceful shutdown and the server never exited), and the audit chain's
    /// head is signed on the way out.
    @Test func sigtermStopsTheServerAndCheckpointsTheAuditChain() async throws {
        let binary = try #require(ServerProcess.binary, "the novacron binary must be built under CI")
        let directory = try Self.sharedScratch("sigterm")
        let server = ServerProcess(dataDirectory: directory + "/data")
        try await server.start(binary: binary)
        defer { server.signal(SIGKILL) }
        try await server.client.send(.POST, "/v1/apply", json: Fixtures.networkDocument("n"))
        let started = Date()
        await server.kill(SIGTERM)
        #expect(!server.isRunning)
        #expect(Date().timeIntervalSince(started) < 10)
        let checkpoints = lines(directory + "/data/audit-checkpoints.jsonl")
        let last = try #require(checkpoints.last.flatMap { try? Value(json: $0) })
        let entries = try await SQLiteStore(path: directory + "/data/novacron.sqlite").entries(after: 0, limit: 100)
        #expect(last["sequence"]?.intValue == entries.last.map { Int($0.sequence) })
    }

    /// Found: an operator's workflow read `admin.key` with `cat`, and a viewer read it back
    /// from the run. Allowed programs run as `nobody` when the server is root, with none of the
    /// server's environment, and run outputs are redacted.
    @Test(.enabled(if: geteuid() == 0, "only a server running as root can drop to nobody"))
    func anAllowedProgramCannotReadTheServersSecrets() async throws {
        let binary = try #require(ServerProcess.binary, "the novacron binary must be built under CI")
        let directory = try Self.sharedScratch("secrets")
        let server = ServerProcess(dataDirectory: directory + "/data", arguments: ["--allow-command", "/bin/cat", "--allow-command", "/usr/bin/env"])
        try await server.start(binary: binary)
        defer { server.signal(SIGKILL) }
        let definition: Value = [
            "name": "peek",
            "steps": [
                ["name": "key", "action": "command", "inputs": ["argv": ["/bin/cat", .string(directory + "/data/admin.key")], "allowedExitCodes": [0, 1]]],
                ["name": "env", "action": "command", "inputs": ["argv": ["/usr/bin/env"]]],
            ],
        ]
        try await server.client.send(.POST, "/v1/workflows", json: definition)
        let run = try #require(try await server.client.send(.POST, "/v1/workflows/peek/runs", json: [:]).body?["id"]?.stringValue)
        var body: Value?
        for _ in 0..<300 {
            body = try await server.client.send(.GET, "/v1/runs/\(run)").body
            if body?["run"]?["status"] != "running" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = body?.canonicalJSON ?? ""
        #expect(body?["run"]?["status"] == "succeeded", "\(text)")
        #expect(text.contains("Permission denied"), "\(text)")
        #expect(!text.contains(server.adminKey))
        #expect(text.contains("PATH=/usr/local/bin:/usr/bin:/bin"), "the confined environment: \(text)")
        #expect(!text.contains("HOME=/root"), "the server's environment is not passed on")
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

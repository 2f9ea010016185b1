import Foundation
import NovaCore
import NovaCronClient
import NovaCronTesting
import Persistence
import Testing
import Workflow

/// The durability promise, tested as a user would meet it: `kill -9` the server in the middle of
/// a run, start it again, and the run finishes without repeating a committed step.
@Suite struct WorkflowCrashTests {
    @Test func aRunSurvivesKillMinus9WithoutRepeatingCommittedSteps() async throws {
        guard let binary = ServerProcess.binary else {
            try #require(ProcessInfo.processInfo.environment["CI"] != "true", "the novacron binary must be built under CI")
            print("skipping: no novacron binary beside the tests (swift build first)")
            return
        }
        let directory = try ScratchDirectory.make("crash").path
        let marker = directory + "/ran.txt"
        // Each step takes 0.4 s, so the eight left after the kill's trigger leave this test 3 s to
        // deliver it even on a loaded machine (at 0.15 s, a CI run sharing two cores with a
        // release build saw the run finish before the kill landed).
        let steps = (1...12).map { "s\($0)" }
        var definition: [String: Value] = ["name": "crashy"]
        definition["steps"] = .array(steps.enumerated().map { i, name in
            var step: [String: Value] = ["name": .string(name), "action": "command",
                                         "inputs": ["argv": ["/bin/sh", "-c", "echo \"$0\" >> \"$1\"; sleep 0.4", .string(name), .string(marker)]]]
            if i > 0 { step["dependsOn"] = [.string(steps[i - 1])] }
            return .object(step)
        })

        let first = ServerProcess(dataDirectory: directory + "/data")
        try await first.start(binary: binary)
        defer { first.signal(SIGKILL) }
        try await first.client.send(.POST, "/v1/workflows", json: .object(definition))
        let run = try #require(try await first.client.send(.POST, "/v1/workflows/crashy/runs", json: [:]).body?["id"]?.stringValue)
        while lines(marker).count < 4 { try await Task.sleep(for: .milliseconds(10)) }
        await first.kill(SIGKILL)

        let committed = try await SQLiteStore(path: directory + "/data/novacron.sqlite").checkpoints(run: run).map(\.task.step)
        #expect(committed.count >= 3 && committed.count < 12)

        let second = ServerProcess(dataDirectory: directory + "/data")
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

    func lines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

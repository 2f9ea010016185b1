import Foundation
import NovaCore

/// The three orchestration workloads of `../shared/workflow/` with no-op steps, run on a given
/// store: W1 a chain of 100 steps; W2 1,000 independent steps then a join; W3 100 runs of a
/// 10-step chain started together.
public enum WorkflowBenchmark {
    public enum Workload: String, CaseIterable, Sendable {
        case w1 = "W1", w2 = "W2", w3 = "W3"

        public var steps: Int {
            switch self {
            case .w1: 100
            case .w2: 1001
            case .w3: 1000
            }
        }
    }

    public struct Result: Sendable {
        public var workload: Workload
        public var seconds: Double
        public var steps: Int
        public var microsecondsPerStep: Double { seconds * 1e6 / Double(steps) }
    }

    static func chain(_ name: String, length: Int) -> Value {
        .object(["name": .string(name), "steps": .array((0..<length).map { i in
            i == 0 ? ["name": "s0", "action": "noop"] : ["name": .string("s\(i)"), "action": "noop", "dependsOn": [.string("s\(i - 1)")]]
        })])
    }

    static let fanOut: Value = .object(["name": "w2", "steps": .array((0..<1000).map { i in ["name": .string("p\(i)"), "action": "noop"] }
        + [["name": "join", "action": "noop", "dependsOn": .array((0..<1000).map { .string("p\($0)") })]])])

    /// Registers the workloads' definitions on `engine`.
    public static func register(on engine: WorkflowEngine) async throws {
        try await engine.register(chain("w1", length: 100))
        try await engine.register(fanOut)
        try await engine.register(chain("w3", length: 10))
    }

    /// Runs one workload to the end on a running engine and times it.
    public static func run(_ workload: Workload, on engine: WorkflowEngine) async throws -> Result {
        let start = ContinuousClock.now
        let runs: [String]
        switch workload {
        case .w1: runs = [try await engine.start("w1").id]
        case .w2: runs = [try await engine.start("w2").id]
        case .w3:
            runs = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 { group.addTask { try await engine.start("w3").id } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        for id in runs {
            let record = try await engine.waitForEnd(of: id)
            guard record.status == .succeeded else { throw NovaError(.internal, "benchmark run \(id) ended \(record.status.rawValue)") }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(workload: workload, seconds: seconds, steps: workload.steps)
    }
}

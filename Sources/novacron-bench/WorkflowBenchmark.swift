import Foundation
import NovaCore
import Workflow

/// The three orchestration workloads of the shared workflow benchmark, with no-op steps, run on a given
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
        .object([
            "name": .string(name),
            "steps": .array(
                (0..<length).map { i in
                    i == 0 ? ["name": "s0", "action": "noop"] : ["name": .string("s\(i)"), "action": "noop", "dependsOn": [.string("s\(i - 1)")]]
                }),
        ])
    }

    static let fanOut: Value = .object([
        "name": "w2",
        "steps": .array(
            (0..<1000).map { i in ["name": .string("p\(i)"), "action": "noop"] }
                + [["name": "join", "action": "noop", "dependsOn": .array((0..<1000).map { .string("p\($0)") })]]),
    ])

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

extension WorkflowBenchmark {
    /// `bench.work`: holds a worker for `input.ms` milliseconds, as a step doing real work would.
    public struct WorkAction: WorkflowAction {
        public init() {}
        public var name: String { "bench.work" }
        public func run(_ input: Value, context: ActionContext) async throws -> Value {
            try await Task.sleep(for: .milliseconds(input["ms"]?.intValue ?? 10))
            return .null
        }
    }

    /// A DAG where order matters when workers are scarce: a chain of `chain` steps of `chainMs`
    /// each, and `independent` unrelated steps of `independentMs` each listed first, run with
    /// `workers` at once.
    public static func orderingDAG(workers: Int = 2, chain: Int = 5, chainMs: Int = 40, independent: Int = 12, independentMs: Int = 60) -> Value {
        var steps: [Value] = (0..<independent).map { ["name": .string("job\($0)"), "action": "bench.work", "inputs": ["ms": .int(independentMs)]] }
        for i in 0..<chain {
            var step: [String: Value] = ["name": .string("link\(i)"), "action": "bench.work", "inputs": ["ms": .int(chainMs)]]
            if i > 0 { step["dependsOn"] = [.string("link\(i - 1)")] }
            steps.append(.object(step))
        }
        return ["name": "ordering", "concurrency": .int(workers), "steps": .array(steps)]
    }

    /// Runs the ordering DAG under FIFO order and under critical-path order (after one run that
    /// teaches the optimizer the step durations); returns both wall times in seconds.
    public static func compareOrdering(store: @autoclosure () -> any WorkflowStore) async throws -> (fifo: Double, criticalPath: Double, lowerBound: Double) {
        var results: [Double] = []
        for ordering in [WorkflowEngine.Ordering.fifo, .criticalPath] {
            let engine = WorkflowEngine(store: store(), actions: [WorkAction()], ordering: ordering)
            try await engine.register(orderingDAG())
            let seconds = try await withThrowingTaskGroup(of: Double?.self) { group in
                group.addTask {
                    try await engine.run(); return nil
                }
                _ = try await engine.waitForEnd(of: try await engine.start("ordering").id)
                let start = ContinuousClock.now
                _ = try await engine.waitForEnd(of: try await engine.start("ordering").id)
                let elapsed = ContinuousClock.now - start
                group.cancelAll()
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            }
            results.append(seconds)
        }
        // Two workers: the work divided by two, or the chain, whichever is longer.
        let lowerBound = max(Double(12 * 60 + 5 * 40) / 2, Double(5 * 40)) / 1000
        return (results[0], results[1], lowerBound)
    }
}

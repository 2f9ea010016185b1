import Foundation
import NovaCore
import Rego

/// The throughput benchmark on the Rego peers' benchmark fixtures (`bench.py --dump-fixtures`): a policy
/// prepared once, then evaluations cycling through a pool of inputs on one thread.
public enum RegoBenchmark {
    public struct Fixture: Sendable {
        public var name: String
        public var module: String
        public var data: Value
        public var query: String
        public var inputs: [Value]

        /// Reads `NAME.rego` and `NAME.fixture.json` from a dump directory.
        public init(directory: String, name: String) throws {
            let rego = try String(contentsOfFile: "\(directory)/\(name).rego", encoding: .utf8)
            let fixture = try Value(json: try String(contentsOfFile: "\(directory)/\(name).fixture.json", encoding: .utf8))
            self.name = name
            module = rego
            data = fixture["data"] ?? .emptyObject
            query = fixture["query"]?.stringValue ?? "x := data.\(name)"
            inputs = fixture["inputs"]?.arrayValue ?? []
        }
    }

    public struct Result: Sendable {
        public var name: String
        public var evaluations: Int
        public var wallSeconds: Double
        public var cpuSeconds: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var prepareMilliseconds: Double
        /// How many evaluations answered each distinct result (a sanity check of the decisions).
        public var decisions: [String: Int]

        public var evaluationsPerSecond: Double { Double(evaluations) / wallSeconds }
        public var evaluationsPerCPUSecond: Double { Double(evaluations) / cpuSeconds }
    }

    static func cpuSeconds() -> Double {
        var usage = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &usage)
        return Double(usage.tv_sec) + Double(usage.tv_nsec) / 1e9
    }

    static func monotonic() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Prepares the fixture's policy once and runs `evaluations` evaluations.
    public static func run(_ fixture: Fixture, evaluations: Int) throws -> Result {
        let prepareStart = monotonic()
        let policy = try CompiledPolicy(modules: [try Parser.parseModule(fixture.module, file: "\(fixture.name).rego")], data: fixture.data)
        let query = try PreparedQuery(fixture.query, policy: policy)
        let prepare = Double(monotonic() - prepareStart) / 1e6
        var latencies = [UInt64](repeating: 0, count: evaluations)
        var decisions: [String: Int] = [:]
        // One round untimed, so caches and lazily built state are warm.
        for input in fixture.inputs { _ = try query.evaluate(input: input) }
        let cpuStart = cpuSeconds(), wallStart = monotonic()
        for i in 0..<evaluations {
            let input = fixture.inputs[i % fixture.inputs.count]
            let start = monotonic()
            let rows = try query.evaluate(input: input)
            latencies[i] = monotonic() - start
            if i < fixture.inputs.count {
                let key =
                    rows.first?["x"].map { value -> String in
                        if case .set(let items) = value { return "\(items.count) messages" }
                        return value.canonicalJSON
                    } ?? "undefined"
                decisions[key, default: 0] += 1
            }
        }
        let wall = Double(monotonic() - wallStart) / 1e9, cpu = cpuSeconds() - cpuStart
        latencies.sort()
        func percentile(_ p: Double) -> Double { Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1e3 }
        return Result(
            name: fixture.name, evaluations: evaluations, wallSeconds: wall, cpuSeconds: cpu,
            p50Microseconds: percentile(0.5), p99Microseconds: percentile(0.99), prepareMilliseconds: prepare, decisions: decisions)
    }
}

import ArgumentParser
import ControlPlane
import Foundation
import NovaCore
import Policy

/// Admission overhead of policies per write, and policy decisions per second with the
/// decision cache cold and warm. In process, on the in-memory store: a benchmark, not a test.
/// The overhead is the difference between percentiles (p99 with policies minus p99 without),
/// so the run without policies, which the machine moves too, moves it.
struct PolicyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Admission overhead with 0, 10 and 50 policies; decisions per second, cache cold and warm.")
    @Option(help: "Writes per policy count.") var writes = 2_000
    @Option(help: "Decisions per cache round.") var decisions = 20_000
    @Option(help: "Rounds of decisions, cache cold and warm (the median is reported).") var rounds = 5
    @Flag(help: "Print JSON.") var json = false

    /// A policy shaped like the starter pack's size limits, in its own package.
    static func policy(_ i: Int) -> Value {
        [
            "kind": "Policy", "metadata": ["name": .string("limit-\(i)")],
            "spec": [
                "kinds": ["VM"],
                "rego": .string(
                    """
                    package bench.p\(i)
                    limits := {"dev": 64, "prod": 128}
                    deny contains msg if {
                      env := object.get(input.resource.metadata, ["labels", "env"], "dev")
                      input.resource.spec.vcpus > limits[env]
                      msg := sprintf("too many vCPUs for %s", [env])
                    }
                    deny contains "owner label required" if not input.resource.metadata.labels.owner
                    """),
            ],
        ]
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

    func run() async throws {
        var rows: [Value] = []
        var baseline: (p50: Double, p99: Double)?
        for count in [0, 10, 50] {
            let store = InMemoryStore()
            let engine = PolicyEngine()
            let cp = ControlPlane(
                store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy],
                admission: [PolicyAdmission(engine: engine)])
            try await engine.attach(to: cp)
            let admin = Principal(name: "bench", role: .admin)
            for i in 0..<count { _ = try await cp.create(try cp.resources(from: [Self.policy(i)])[0], as: admin) }
            var latencies: [Double] = []
            for i in 0..<(writes + 100) {
                let vm: Value = [
                    "kind": "VM", "metadata": ["name": .string("vm-\(i)"), "labels": ["owner": "bench", "env": "dev"]],
                    "spec": ["vcpus": 2, "memoryMiB": 2048, "image": "debian-12.qcow2"],
                ]
                let resource = try cp.resources(from: [vm])[0]
                let start = ContinuousClock.now
                _ = try await cp.create(resource, as: admin)
                let elapsed = ContinuousClock.now - start
                if i >= 100 { latencies.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6) }
            }
            latencies.sort()
            let p50 = Self.percentile(latencies, 0.5), p99 = Self.percentile(latencies, 0.99)
            if baseline == nil { baseline = (p50, p99) }
            rows.append([
                "policies": .int(count), "write_p50_us": .double(p50), "write_p99_us": .double(p99),
                "added_p50_us": .double(p50 - baseline!.p50), "added_p99_us": .double(p99 - baseline!.p99),
            ])
            if !json {
                print(
                    String(
                        format: "%2d policies: write p50 %7.1f µs, p99 %7.1f µs; added by policies p50 %7.1f µs, p99 %7.1f µs",
                        count, p50, p99, p50 - baseline!.p50, p99 - baseline!.p99))
            }
        }
        // Decisions per second through the engine: one policy, the same input (warm) or a new
        // input each time (cold). Several rounds, each on a fresh engine: one round's rate moved
        // by ±15% between runs on a 2-core VM, so the median and the range are reported.
        for warm in [false, true] {
            var rates: [Double] = []
            for round in 0..<rounds {
                let store = InMemoryStore()
                let engine = PolicyEngine()
                let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy])
                try await engine.attach(to: cp)
                _ = try await cp.create(try cp.resources(from: [Self.policy(0)])[0], as: Principal(name: "bench", role: .admin))
                // The resources are built before the clock starts: only decisions are timed.
                let resources = try (0..<decisions).map { i in
                    let vm: Value = [
                        "kind": "VM", "metadata": ["name": .string(warm ? "same" : "vm-\(round)-\(i)"), "labels": ["owner": "bench"]],
                        "spec": ["vcpus": 2, "memoryMiB": 2048, "image": "debian-12.qcow2"],
                    ]
                    return try cp.resources(from: [vm])[0]
                }
                let start = ContinuousClock.now
                for resource in resources {
                    _ = try await engine.decide(
                        operation: "create", kind: .vm, resource: resource, oldResource: nil, actor: "bench", roles: ["admin"], time: Date())
                }
                let elapsed = ContinuousClock.now - start
                rates.append(Double(decisions) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            }
            rates.sort()
            let median = rates[rates.count / 2]
            rows.append([
                "decisions": .string(warm ? "warm" : "cold"), "per_second": .double(median.rounded()),
                "min": .double(rates[0].rounded()), "max": .double(rates[rates.count - 1].rounded()),
            ])
            if !json {
                print(
                    String(
                        format: "decisions, cache %@: %8.0f per second (median of %d rounds; %.0f–%.0f)", warm ? "warm" : "cold",
                        median, rates.count, rates[0], rates[rates.count - 1]))
            }
        }
        if json { print(Value.array(rows).canonicalJSON) }
    }
}

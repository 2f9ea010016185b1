import ArgumentParser
import ControlPlane
import Foundation
import Infrastructure
import NovaCore
import Persistence
import Synchronization

/// How fast the reconciler turns a committed write into a driver call with many resources in
/// the store, how much work one change costs, and what the server burns doing nothing.
///
/// The driver wrapper forwards the simulator's change reports, as the simulator itself would
/// (before the event-driven reconciler there were none: that measurement used this file
/// without `changes()`).
struct ReconcileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Write → driver-call latency (p50, p99), work per change and idle CPU with N resources in a SQLite store.")

    @Option(help: "VMs in the store.") var resources = 10_000
    @Option(help: "Measured writes (each changes one VM's vCPUs), one at a time.") var writes = 200
    @Option(help: "Milliseconds between measured writes.") var spacing = 25
    @Option(help: "Seconds of idle CPU measurement.") var idleSeconds = 10.0
    @Option(help: "Seconds to let the last status writes settle before measuring.") var settle = 10.0
    @Option(help: "Seconds between the reconciler's full passes (its resync).") var interval = 300.0
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("novacron-reconcile-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/bench.sqlite")
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store)
        let hosts = (1...64).map { SimulatedHost(name: "host-\($0)", zone: "zone-a", vcpus: 100_000, memoryMiB: 100_000_000) }
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 1, hosts: hosts, provisioningSeconds: 0...0))
        let driver = TimingDriver(wrapping: simulator)
        let admin = Principal(name: "bench", role: .admin)
        let seedStart = ContinuousClock.now
        for start in stride(from: 0, to: resources, by: 1_000) {
            let batch = try (start..<min(resources, start + 1_000)).map { try document(vm: $0, vcpus: 1) }
            _ = try await controlPlane.apply(controlPlane.resources(from: batch), as: admin)
        }
        log("stored \(resources) VMs in \(seconds(ContinuousClock.now - seedStart)) s")
        let reconciler = Reconciler(controlPlane: controlPlane, driver: driver, interval: .milliseconds(Int64(interval * 1000)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reconciler.run() }
            let convergeStart = ContinuousClock.now
            while driver.creates < resources {
                try await Task.sleep(for: .milliseconds(200))
                if ContinuousClock.now - convergeStart > .seconds(1_800) {
                    throw NovaError(.unavailable, "the reconciler did not create every VM in 30 minutes")
                }
            }
            // Let status writes and rechecks settle before measuring.
            try await Task.sleep(for: .milliseconds(Int64(settle * 1000)))
            log("converged in \(seconds(ContinuousClock.now - convergeStart)) s")
            let idle = try await idleCPU(seconds: idleSeconds)
            log(String(format: "idle: %.2f%% of a core over %.0f s", idle * 100, idleSeconds))
            let workBefore = reconciler.statistics
            var latencies: [Double] = []
            for i in 0..<writes {
                let vm = (i * 7_919) % resources
                let key = "VM/vm-\(vm)"
                let resource = try controlPlane.resources(from: [try document(vm: vm, vcpus: 2 + i % 3)])[0]
                let before = ContinuousClock.now
                _ = try await controlPlane.apply([resource], as: admin)
                var waited = 0
                while driver.lastUpdate(key).map({ $0 < before }) ?? true {
                    try await Task.sleep(for: .microseconds(200))
                    waited += 1
                    if waited > 300_000 { throw NovaError(.unavailable, "no driver call for \(key) within a minute") }
                }
                latencies.append(seconds(driver.lastUpdate(key)! - before) * 1_000)
                try await Task.sleep(for: .milliseconds(spacing))
            }
            let workAfter = reconciler.statistics
            group.cancelAll()
            latencies.sort()
            let p50 = latencies[latencies.count / 2], p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
            let passes = workAfter.passes - workBefore.passes
            let result: Value = [
                "resources": .int(resources), "writes": .int(writes), "writeToDriverP50ms": .double(p50),
                "writeToDriverP99ms": .double(p99), "idleCPUPercent": .double(idle * 100), "fullPassesDuringWrites": .int(passes),
                "driverCallsPerWrite": .double(Double(workAfter.actions - workBefore.actions) / Double(writes)),
            ]
            if json {
                print(result.canonicalJSON)
            } else {
                print(
                    String(
                        format:
                            "%d VMs: write → driver call p50 %.2f ms, p99 %.2f ms; idle CPU %.2f%% of a core; %d full passes and %.1f driver calls per write while writing",
                        resources, p50, p99, idle * 100, passes, Double(workAfter.actions - workBefore.actions) / Double(writes)))
            }
        }
    }

    func document(vm: Int, vcpus: Int) throws -> Value {
        ["kind": "VM", "metadata": ["name": .string("vm-\(vm)")], "spec": ["vcpus": .int(vcpus), "memoryMiB": 512, "image": "debian-12.qcow2"]]
    }

    /// The process's CPU time over a wall-clock interval, as a fraction of one core.
    func idleCPU(seconds wall: Double) async throws -> Double {
        let start = cpuSeconds()
        let clock = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(Int64(wall * 1000)))
        return (cpuSeconds() - start) / seconds(ContinuousClock.now - clock)
    }

    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func log(_ text: String) {
        if !json { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}

/// Passes calls on (and the simulator's change reports) and notes when each VM was last
/// created or updated.
final class TimingDriver: ReportsInfrastructureChanges {
    let inner: SimulatedInfrastructure
    private let state = Mutex<(creates: Int, updates: [String: ContinuousClock.Instant])>((0, [:]))

    init(wrapping inner: SimulatedInfrastructure) { self.inner = inner }

    var name: String { inner.name }
    var creates: Int { state.withLock { $0.creates } }
    func lastUpdate(_ key: String) -> ContinuousClock.Instant? { state.withLock { $0.updates[key] } }

    func changes() -> AsyncStream<InfrastructureChange> { inner.changes() }
    func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource? { try await inner.observe(kind, name: name) }
    func observeAll() async throws -> [ObservedResource] { try await inner.observeAll() }
    func create(_ resource: Resource) async throws -> ObservedResource {
        let result = try await inner.create(resource)
        state.withLock { $0.creates += 1 }
        return result
    }
    func update(_ resource: Resource) async throws -> ObservedResource {
        state.withLock { $0.updates[resource.reference] = .now }
        return try await inner.update(resource)
    }
    func delete(_ kind: ResourceKind, name: String) async throws { try await inner.delete(kind, name: name) }
    func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource { try await inner.perform(action, onVM: name) }
    func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        try await inner.telemetry(forVM: name, from: start, to: end)
    }
}

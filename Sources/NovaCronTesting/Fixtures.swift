import ControlPlane
import Foundation
import Infrastructure
import NovaCore

/// Documents and principals that tests share.
public enum Fixtures {
    public static let viewer = Principal(name: "apikey:viewer", role: .viewer)
    public static let `operator` = Principal(name: "apikey:operator", role: .operator)
    public static let admin = Principal(name: "apikey:admin", role: .admin)

    public static func vmDocument(
        _ name: String, vcpus: Int = 2, memoryMiB: Int = 2048, labels: [String: String] = [:],
        networks: [String] = [], extra: Value = .emptyObject
    ) -> Value {
        var spec: Value = [
            "vcpus": .int(vcpus), "memoryMiB": .int(memoryMiB), "image": "debian-12.qcow2",
            "networks": .array(networks.map { ["network": .string($0)] }),
        ]
        spec = spec.merging(patch: extra)
        return [
            "apiVersion": "novacron.io/v1", "kind": "VM",
            "metadata": ["name": .string(name), "labels": .strings(labels)], "spec": spec,
        ]
    }

    public static func networkDocument(_ name: String, cidr: String = "10.0.0.0/24") -> Value {
        ["kind": "Network", "metadata": ["name": .string(name)], "spec": ["cidr": .string(cidr)]]
    }

    public static func volumeDocument(_ name: String, sizeGiB: Int = 10) -> Value {
        ["kind": "Volume", "metadata": ["name": .string(name)], "spec": ["sizeGiB": .int(sizeGiB)]]
    }

    /// A policy that blocks VMs over `limit` vCPUs and VMs without an owner label.
    public static func limitsPolicy(_ name: String, _ enforcement: String, limit: Int, kinds: [String] = ["VM"]) -> Value {
        [
            "kind": "Policy", "metadata": ["name": .string(name)],
            "spec": [
                "enforcement": .string(enforcement), "kinds": .array(kinds.map(Value.string)),
                "rego": .string(
                    """
                    package limits
                    deny contains msg if {
                      input.resource.spec.vcpus > \(limit)
                      msg := sprintf("%d vCPUs is over the limit of \(limit)", [input.resource.spec.vcpus])
                    }
                    deny contains {"msg": "VMs need an owner label", "details": {"label": "owner"}} if not input.resource.metadata.labels.owner
                    """),
            ],
        ]
    }

    /// Labels that satisfy `limitsPolicy`'s owner rule.
    public static let owned = ["owner": "team-a"]

    /// Reads a valid document into a resource; traps on an invalid one (a broken fixture).
    public static func resource(_ document: Value) -> Resource {
        let (resource, diagnostics) = Resource.read(document: document)
        guard let resource else { preconditionFailure("fixture is invalid: \(diagnostics)") }
        return resource
    }
}

/// A control plane on in-memory stores, a manual clock and a simulator: everything a test needs.
public struct TestEnvironment: Sendable {
    public let store: InMemoryStore
    public let clock: ManualClock
    public let simulator: SimulatedInfrastructure
    public let controlPlane: ControlPlane
    public let reconciler: Reconciler

    public let driver: any InfrastructureDriver

    /// - Parameter makeDriver: the driver to reconcile against, given the environment's clock;
    ///   the simulator when nil.
    public init(
        admission: [any AdmissionController] = [], kinds: [ResourceKind] = ResourceKind.builtIn, seed: UInt64 = 7,
        makeDriver: ((ManualClock) -> any InfrastructureDriver)? = nil
    ) {
        store = InMemoryStore()
        clock = ManualClock()
        simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: seed), clock: clock)
        driver = makeDriver?(clock) ?? simulator
        controlPlane = ControlPlane(
            store: store, auditLog: store, access: store, kinds: kinds, admission: admission,
            clock: clock, ids: SequentialIDGenerator(prefix: "uid"),
            // A test's 30 denials fall in one window however slowly a loaded machine serves them.
            denialWindow: .seconds(600))
        reconciler = Reconciler(controlPlane: controlPlane, driver: driver)
    }

    /// Applies documents as an admin.
    @discardableResult
    public func apply(_ documents: [Value]) async throws -> [WriteOutcome] {
        try await controlPlane.apply(try controlPlane.resources(from: documents), as: Fixtures.admin)
    }

    /// Runs reconcile passes, moving the clock on between them.
    public func converge(passes: Int = 3, secondsBetween: TimeInterval = 10) async {
        for _ in 0..<passes {
            await reconciler.reconcileOnce()
            clock.advance(by: secondsBetween)
        }
        await reconciler.reconcileOnce()
    }
}

/// A driver that fails a given number of times before handing calls to another: for testing
/// that the reconciler survives driver errors.
public actor FlakyDriver: InfrastructureDriver {
    public nonisolated let name = "flaky"
    private let inner: any InfrastructureDriver
    private var failuresLeft: Int

    public init(wrapping inner: any InfrastructureDriver, failures: Int) {
        self.inner = inner
        failuresLeft = failures
    }

    private func maybeFail() throws {
        if failuresLeft > 0 {
            failuresLeft -= 1
            throw NovaError(.infrastructure, "hypervisor connection reset", isRetryable: true)
        }
    }

    public func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource? { try await inner.observe(kind, name: name) }
    public func observeAll() async throws -> [ObservedResource] { try await inner.observeAll() }
    public func create(_ resource: Resource) async throws -> ObservedResource { try maybeFail(); return try await inner.create(resource) }
    public func update(_ resource: Resource) async throws -> ObservedResource { try maybeFail(); return try await inner.update(resource) }
    public func delete(_ kind: ResourceKind, name: String) async throws { try maybeFail(); try await inner.delete(kind, name: name) }
    public func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource {
        try maybeFail()
        return try await inner.perform(action, onVM: name)
    }
    public func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        try await inner.telemetry(forVM: name, from: start, to: end)
    }
}

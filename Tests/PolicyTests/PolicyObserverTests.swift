import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Policy
import Testing

/// The engine learns of policy writes from the door's commit observers: no timer, no listing.
@Suite struct PolicyObserverTests {
    func makePlane(_ engine: PolicyEngine) async throws -> ControlPlane {
        let store = InMemoryStore()
        let cp = ControlPlane(
            store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy],
            admission: [PolicyAdmission(engine: engine)], clock: ManualClock())
        try await engine.attach(to: cp)
        return cp
    }

    /// Each policy decides the very next write after its creation, change and deletion, on a
    /// clock that never moves (so nothing time-based can be what made it visible).
    @Test func aPolicyDecidesTheNextWriteAfterItsCommit() async throws {
        let engine = PolicyEngine()
        let cp = try await makePlane(engine)
        for round in 0..<20 {
            let label = "round-\(round)"
            _ = try await cp.create(
                try cp.resources(from: [
                    PolicyDocuments.rego(
                        "p\(round)",
                        """
                        deny contains "no \(label)" if input.resource.metadata.labels.tag == "\(label)"
                        """)
                ])[0], as: Fixtures.admin)
            let error = await #expect(throws: NovaError.self) {
                try await cp.create(Fixtures.resource(Fixtures.vmDocument("vm-\(round)", labels: ["tag": label])), as: Fixtures.admin)
            }
            #expect(error?.code == .admissionDenied)
        }
        // A change applies to the next write too.
        var policy = try await cp.get(.policy, named: "p0", as: Fixtures.admin)
        policy.spec = policy.spec.setting("rego", to: "package p\ndeny contains \"changed\" if input.resource.spec.vcpus == 3")
        _ = try await cp.replace(policy, as: Fixtures.admin)
        _ = try await cp.create(Fixtures.resource(Fixtures.vmDocument("now-allowed", labels: ["tag": "round-0"])), as: Fixtures.admin)
        await #expect(throws: NovaError.self) { try await cp.create(Fixtures.resource(Fixtures.vmDocument("three", vcpus: 3)), as: Fixtures.admin) }
        // And so does a deletion.
        _ = try await cp.delete(.policy, named: "p1", as: Fixtures.admin)
        _ = try await cp.create(Fixtures.resource(Fixtures.vmDocument("vm-1", labels: ["tag": "round-1"])), as: Fixtures.admin)
    }

    /// Writes racing a policy's creation: every write committed after the policy is decided by it.
    @Test func concurrentWritesAfterThePolicyAreAllDecidedByIt() async throws {
        let engine = PolicyEngine()
        let cp = try await makePlane(engine)
        _ = try await cp.create(try cp.resources(from: [Fixtures.limitsPolicy("limits", "block", limit: 4)])[0], as: Fixtures.admin)
        let refused = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                group.addTask {
                    (try? await cp.create(Fixtures.resource(Fixtures.vmDocument("big-\(i)", vcpus: 8, labels: Fixtures.owned)), as: Fixtures.admin))
                        == nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refused == 40)
    }

    /// Cacheability comes from the compiled policy: a clock-reading built-in makes decisions
    /// uncacheable; the word "time" in a message does not.
    @Test(arguments: [
        ("deny contains \"old\" if time.now_ns() > 0", false),
        ("deny contains \"it is time\" if input.resource.spec.vcpus > 99", true),
        ("deny contains x if { x := rand.intn(\"k\", 10); x > 100 }", false),
        ("deny contains \"t\" if input.time == \"never\"", true),
    ])
    func cacheabilityComesFromTheBuiltinsCalled(rego: String, cacheable: Bool) async throws {
        let engine = PolicyEngine()
        let cp = try await makePlane(engine)
        _ = try await cp.create(try cp.resources(from: [PolicyDocuments.rego("p", rego)])[0], as: Fixtures.admin)
        let vm = Fixtures.resource(Fixtures.vmDocument("same"))
        for _ in 0..<2 {
            _ = try await engine.decide(operation: "create", kind: .vm, resource: vm, oldResource: nil, actor: "ann", roles: [], time: Date())
        }
        #expect(try await engine.decisions().map(\.cached) == [false, cacheable])
    }
}

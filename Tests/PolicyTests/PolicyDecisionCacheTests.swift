import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Policy
import Testing

/// The decision cache is keyed by the input without its time, and the log's fingerprint is
/// SHA-256 of that input's canonical JSON, however late it is computed.
@Suite struct PolicyDecisionCacheTests {
    @Test func sameInputAtAnotherTimeIsAHitAndLogsTheSameFingerprint() async throws {
        let store = InMemoryStore()
        let engine = PolicyEngine()
        let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy])
        try await engine.attach(to: cp)
        _ = try await cp.create(try cp.resources(from: [Fixtures.limitsPolicy("limits", "block", limit: 4)])[0], as: Fixtures.admin)
        let big = Fixtures.resource(Fixtures.vmDocument("big", vcpus: 8, labels: Fixtures.owned))
        let bigger = Fixtures.resource(Fixtures.vmDocument("big", vcpus: 9, labels: Fixtures.owned))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func decide(_ resource: Resource, at seconds: Double) async throws -> [PolicyEngine.Decision] {
            try await engine.decide(
                operation: "create", kind: .vm, resource: resource, oldResource: nil, actor: "ann", roles: ["admin"],
                time: start + seconds)
        }
        let first = try await decide(big, at: 0)
        let again = try await decide(big, at: 60)
        let other = try await decide(bigger, at: 120)
        #expect(first.map(\.deny) == again.map(\.deny))
        #expect(other.first?.deny.first?.message == "9 vCPUs is over the limit of 4")
        let log = try await engine.decisions()
        #expect(log.map(\.cached) == [false, true, false])
        func expected(_ resource: Resource) -> String {
            var input = PolicyEngine.input(operation: "create", resource: resource, oldResource: nil, actor: "ann", roles: ["admin"], time: start)
            input = input.setting("time", to: nil)
            return input.fingerprint
        }
        #expect(log[0].fingerprint == expected(big))
        #expect(log[1].fingerprint == log[0].fingerprint)
        #expect(log[2].fingerprint == expected(bigger))
        #expect(log[2].fingerprint != log[0].fingerprint)
        #expect(await engine.cacheHits == 1)
    }

    /// A full cache forgets its oldest answer for each new one, not everything at once.
    @Test func aFullCacheForgetsItsOldestAnswerFirst() async throws {
        let store = InMemoryStore()
        let engine = PolicyEngine(cacheCapacity: 2)
        let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy])
        try await engine.attach(to: cp)
        _ = try await cp.create(try cp.resources(from: [Fixtures.limitsPolicy("limits", "block", limit: 4)])[0], as: Fixtures.admin)
        let vms = (1...3).map { Fixtures.resource(Fixtures.vmDocument("vm-\($0)", vcpus: $0, labels: Fixtures.owned)) }
        func decide(_ resource: Resource) async throws {
            _ = try await engine.decide(operation: "create", kind: .vm, resource: resource, oldResource: nil, actor: "ann", roles: ["admin"], time: Date())
        }
        try await decide(vms[0])
        try await decide(vms[1])
        try await decide(vms[0])  // both fit: a hit
        try await decide(vms[2])  // replaces vm-1's answer, the first added (a hit does not renew it)
        try await decide(vms[1])  // still cached
        try await decide(vms[0])  // forgotten: a miss, whose answer replaces vm-2's
        try await decide(vms[2])  // still cached
        try await decide(vms[1])  // forgotten
        let log = try await engine.decisions()
        #expect(log.map(\.cached) == [false, false, true, false, true, false, true, false])
        #expect(await engine.cacheHits == 3)
    }
}

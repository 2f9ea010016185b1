import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Policy
import Testing

/// A decision that arrives while another decision is re-reading the policy list must not take
/// the list from before as fresh: right after a policy's creation that list was empty, and a
/// write that the policy blocks went through (seen once in a full-suite run as a missing
/// decision in `PolicyConcurrencyTests`).
@Suite struct PolicyListingRaceTests {
    /// The store the engine lists policies from, able to hold one listing until released.
    actor GatedStore: ResourceStore {
        let inner: InMemoryStore
        private var holdNext = false
        private var gate: CheckedContinuation<Void, Never>?

        init(inner: InMemoryStore) { self.inner = inner }

        func holdNextListing() { holdNext = true }
        var isHolding: Bool { gate != nil }
        func release() {
            gate?.resume()
            gate = nil
        }

        func resources(_ kind: ResourceKind, matching selector: LabelSelector, after cursor: String?, limit: Int) async throws -> ResourcePage {
            if holdNext {
                holdNext = false
                await withCheckedContinuation { gate = $0 }
            }
            return try await inner.resources(kind, matching: selector, after: cursor, limit: limit)
        }

        func resource(_ kind: ResourceKind, named name: String) async throws -> Resource? { try await inner.resource(kind, named: name) }
        func allResources() async throws -> [Resource] { try await inner.allResources() }
        func commit(_ writes: [ResourceWrite], by actor: String, at time: Date, ids: any IDGenerator) async throws -> [CommittedWrite] {
            try await inner.commit(writes, by: actor, at: time, ids: ids)
        }
        func updateStatus(_ kind: ResourceKind, named name: String, to status: ResourceStatus, at time: Date) async throws -> ResourceEvent? {
            try await inner.updateStatus(kind, named: name, to: status, at: time)
        }
        func history(_ kind: ResourceKind, named name: String) async throws -> [HistoryEntry] { try await inner.history(kind, named: name) }
        func events(after sequence: Int64, limit: Int) async throws -> [ResourceEvent] { try await inner.events(after: sequence, limit: limit) }
    }

    @Test func aDecisionDuringAnotherListingStillSeesANewPolicy() async throws {
        let store = InMemoryStore()
        let gated = GatedStore(inner: store)
        let engine = PolicyEngine(store: gated)
        let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy],
                              admission: [PolicyAdmission(engine: engine)])
        _ = try await cp.create(try cp.resources(from: [APIPolicyTests.policy("limits", "block", limit: 4)])[0], as: Fixtures.admin)
        // Past the engine's window of re-reading after a policy write: from now on only the
        // once-a-second rule decides whether a decision re-reads the list.
        try await Task.sleep(for: .milliseconds(2_200))
        await gated.holdNextListing()
        let first = Task { try await cp.create(Fixtures.resource(Fixtures.vmDocument("first", vcpus: 6, labels: APIPolicyTests.owned)), as: Fixtures.admin) }
        while !(await gated.isHolding) { try await Task.sleep(for: .milliseconds(1)) }
        // The first decision's listing is in flight; a second write must still meet the policy.
        await #expect(throws: NovaError.self) {
            try await cp.create(Fixtures.resource(Fixtures.vmDocument("second", vcpus: 6, labels: APIPolicyTests.owned)), as: Fixtures.admin)
        }
        await gated.release()
        await #expect(throws: NovaError.self) { try await first.value }
    }
}

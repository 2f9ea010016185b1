import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Testing

/// Old events and history go; the audit chain stays whole and verifiable; events a durable
/// observer has not seen stay.
@Suite struct RetentionTests {
    @Test func oldEventsAndHistoryGoAndTheAuditChainHolds() async throws {
        let env = TestEnvironment()
        for vcpus in 1...5 { try await env.apply([Fixtures.vmDocument("a", vcpus: vcpus)]) }
        env.clock.advance(by: 8 * 86_400)
        try await env.apply([Fixtures.vmDocument("b")])
        let auditBefore = try await env.store.entries(after: 0, limit: 1_000).count
        let report = try await env.controlPlane.compact(RetentionPolicy(eventAge: 7 * 86_400, historyAge: 7 * 86_400), as: .system("retention"))
        #expect(report.events == 5)
        #expect(report.historyEntries == 4, "a keeps its newest entry")
        #expect(try await env.store.events(after: 0, limit: 100).map(\.name) == ["b"])
        #expect(try await env.store.history(.vm, named: "a").map(\.version) == [5])
        let audit = try await env.store.entries(after: 0, limit: 1_000)
        #expect(audit.count == auditBefore + 1, "nothing removed from the audit log; the compaction is recorded")
        #expect(audit.last?.record.action == "compact")
        #expect(try await env.controlPlane.verifyAudit(as: Fixtures.admin).isIntact)
        // The sequence goes on from where it was.
        try await env.apply([Fixtures.vmDocument("c")])
        #expect(try await env.store.events(after: 0, limit: 100).map(\.sequence) == [6, 7])
    }

    @Test func countLimitsKeepTheNewest() async throws {
        let env = TestEnvironment()
        for vcpus in 1...6 { try await env.apply([Fixtures.vmDocument("a", vcpus: vcpus)]) }
        try await env.controlPlane.compact(RetentionPolicy(eventCount: 2, historyPerResource: 3), as: .system("retention"))
        #expect(try await env.store.events(after: 0, limit: 100).map(\.resourceVersion) == [5, 6])
        #expect(try await env.store.history(.vm, named: "a").map(\.version) == [4, 5, 6])
    }

    @Test func eventsADurableObserverHasNotSeenAreKept() async throws {
        let env = TestEnvironment()
        let observer = RecordingObserver(name: "slow")
        _ = try await env.controlPlane.addObserver(observer, delivery: ObserverDelivery(isDurable: true))
        try await env.store.saveObserverCursor(2, named: "slow")
        for i in 0..<5 { try await env.apply([Fixtures.vmDocument("vm-\(i)")]) }
        try await env.controlPlane.compact(RetentionPolicy(eventCount: 1), as: .system("retention"))
        #expect(try await env.store.events(after: 0, limit: 100).map(\.sequence) == [3, 4, 5])
    }

    @Test func compactingNeedsTheRight() async throws {
        let env = TestEnvironment()
        await #expect(throws: NovaError.self) { try await env.controlPlane.compact(RetentionPolicy(), as: Fixtures.operator) }
    }
}

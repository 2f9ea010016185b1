import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Testing

/// The door hands every committed batch to its observers, once each and in commit order.
@Suite struct CommitObserverTests {
    @Test func aSynchronousObserverSeesEachBatchOnceInOrderBeforeTheWriteReturns() async throws {
        let env = TestEnvironment()
        let observer = RecordingObserver()
        _ = try await env.controlPlane.addObserver(observer, delivery: ObserverDelivery(isSynchronous: true))
        try await env.apply([Fixtures.networkDocument("n"), Fixtures.vmDocument("a", networks: ["n"])])
        #expect(observer.batches.count == 1, "one apply is one batch")
        #expect(observer.changes == ["created Network/n v1 by apikey:admin", "created VM/a v1 by apikey:admin"])
        _ = try await env.controlPlane.delete(.vm, named: "a", options: WriteOptions(reason: "no longer needed"), as: Fixtures.admin)
        #expect(observer.batches.last?.reason == "no longer needed")
        #expect(observer.batches.last?.changes.first?.oldVersion == 1 && observer.batches.last?.changes.first?.newVersion == nil)
        // Status writes are commits too, by the reconciler.
        await env.reconciler.reconcileOnce()
        #expect(observer.batches.last?.actor == "system:reconciler")
        let sequences = observer.batches.flatMap(\.changes).map(\.sequence)
        #expect(sequences == Array(1...Int64(sequences.count)), "every event, once, in order")
    }

    @Test func concurrentWritersAreObservedInCommitOrder() async throws {
        let env = TestEnvironment()
        let observer = RecordingObserver()
        let feed = try await env.controlPlane.addObserver(observer)
        let delivery = Task { await feed.run() }
        defer { delivery.cancel() }
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask { _ = try? await env.apply([Fixtures.vmDocument("vm-\(i)")]) }
            }
        }
        await feed.waitForDelivery(through: 50)
        let sequences = observer.batches.map(\.firstSequence)
        #expect(sequences == Array(1...50))
        #expect(Set(observer.batches.map { $0.changes[0].name }).count == 50)
    }

    @Test func aBatchTheObserverFailsOnIsOfferedAgainNotSkipped() async throws {
        let env = TestEnvironment()
        let observer = RecordingObserver(failing: 2)
        let feed = try await env.controlPlane.addObserver(observer)
        let delivery = Task { await feed.run() }
        defer { delivery.cancel() }
        try await env.apply([Fixtures.vmDocument("a")])
        try await env.apply([Fixtures.vmDocument("b")])
        await feed.waitForDelivery(through: 2)
        #expect(observer.changes == ["created VM/a v1 by apikey:admin", "created VM/b v1 by apikey:admin"])
    }

    @Test func aNonDurableObserverStartsAtTheNewestCommit() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("before")])
        let observer = RecordingObserver()
        _ = try await env.controlPlane.addObserver(observer, delivery: ObserverDelivery(isSynchronous: true))
        try await env.apply([Fixtures.vmDocument("after")])
        #expect(observer.changes == ["created VM/after v1 by apikey:admin"])
    }

    /// A durable observer that was slow (or not running) when the process stopped sees every
    /// batch committed since its last position after a restart, once and in order.
    @Test func aDurableObserverResumesWhereItStoppedAcrossARestart() async throws {
        let store = InMemoryStore()
        func plane() -> ControlPlane { ControlPlane(store: store, auditLog: store, access: store, clock: ManualClock()) }
        let first = plane()
        let early = RecordingObserver(name: "drift")
        let feed = try await first.addObserver(early, delivery: ObserverDelivery(isDurable: true))
        let delivery = Task { await feed.run() }
        _ = try await first.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
        await feed.waitForDelivery(through: 1)
        delivery.cancel()
        // Its loop is gone: what follows is committed while it is not looking.
        first.removeObserver(feed)
        _ = try await first.apply([Fixtures.resource(Fixtures.vmDocument("b")), Fixtures.resource(Fixtures.vmDocument("c"))], as: Fixtures.admin)
        _ = try await first.delete(.vm, named: "a", as: Fixtures.admin)
        // The process restarts: a new door over the same store, the same observer name.
        let second = plane()
        let resumed = RecordingObserver(name: "drift")
        let again = try await second.addObserver(resumed, delivery: ObserverDelivery(isDurable: true))
        let redelivery = Task { await again.run() }
        defer { redelivery.cancel() }
        await again.waitForDelivery(through: 4)
        #expect(early.changes == ["created VM/a v1 by apikey:admin"])
        #expect(resumed.changes == ["created VM/b v1 by apikey:admin", "created VM/c v1 by apikey:admin", "deleted VM/a v1 by apikey:admin"])
        #expect(resumed.batches.count == 2)
    }
}

import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Persistence
import Testing

/// Durable observers on SQLite: the position survives the process, and a reader of the log
/// gets whole batches back.
@Suite struct SQLiteObserverTests {
    @Test func aSlowDurableObserverLosesNoCommitAcrossARestart() async throws {
        let path = try ScratchDirectory.make("observers").path + "/novacron.sqlite"
        do {
            let store = try SQLiteStore(path: path)
            let cp = ControlPlane(store: store, auditLog: store, access: store)
            let observer = RecordingObserver(name: "drift")
            let feed = try await cp.addObserver(observer, delivery: ObserverDelivery(isDurable: true))
            let delivery = Task { await feed.run() }
            _ = try await cp.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
            await feed.waitForDelivery(through: 1)
            delivery.cancel()
            cp.removeObserver(feed)
            // Committed while the observer is not running.
            _ = try await cp.apply(
                [Fixtures.resource(Fixtures.vmDocument("b")), Fixtures.resource(Fixtures.networkDocument("n"))],
                options: WriteOptions(reason: "batch two"), as: Fixtures.admin)
            _ = try await cp.delete(.vm, named: "a", as: Fixtures.admin)
            #expect(observer.changes == ["created VM/a v1 by apikey:admin"])
        }
        let store = try SQLiteStore(path: path)
        let cp = ControlPlane(store: store, auditLog: store, access: store)
        let observer = RecordingObserver(name: "drift")
        let feed = try await cp.addObserver(observer, delivery: ObserverDelivery(isDurable: true))
        let delivery = Task { await feed.run() }
        defer { delivery.cancel() }
        await feed.waitForDelivery(through: 4)
        #expect(observer.changes == ["created VM/b v1 by apikey:admin", "created Network/n v1 by apikey:admin", "deleted VM/a v1 by apikey:admin"])
        #expect(observer.batches.map(\.changes.count) == [2, 1])
        #expect(observer.batches.first?.reason == "batch two")
        #expect(try await store.observerCursor(named: "drift") == 4)
    }

    @Test func retentionKeepsTheAuditChainAndTheSequence() async throws {
        let path = try ScratchDirectory.make("retention").path + "/novacron.sqlite"
        let store = try SQLiteStore(path: path)
        let clock = ManualClock()
        let cp = ControlPlane(store: store, auditLog: store, access: store, clock: clock)
        for vcpus in 1...4 { _ = try await cp.apply([Fixtures.resource(Fixtures.vmDocument("a", vcpus: vcpus))], as: Fixtures.admin) }
        clock.advance(by: 30 * 86_400)
        _ = try await cp.apply([Fixtures.resource(Fixtures.vmDocument("b"))], as: Fixtures.admin)
        let report = try await cp.compact(RetentionPolicy(eventAge: 86_400, historyAge: 86_400), as: .system("retention"))
        #expect(report == RetentionReport(events: 4, historyEntries: 3))
        #expect(try await store.events(after: 0, limit: 100).map(\.sequence) == [5])
        #expect(try await store.history(.vm, named: "a").map(\.version) == [4])
        #expect(try await store.verify().isIntact)
        #expect(try await store.latestEventSequence() == 5)
        _ = try await cp.apply([Fixtures.resource(Fixtures.vmDocument("c"))], as: Fixtures.admin)
        #expect(try await store.events(after: 0, limit: 100).map(\.sequence) == [5, 6])
    }
}

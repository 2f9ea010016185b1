import ControlPlane
import Foundation
import GRDB
import NovaCore
import NovaCronTesting
import Persistence
import Testing

@Suite struct SQLiteStoreTests {
    /// A fresh database file in its own temporary directory.
    func makeStore() throws -> (SQLiteStore, ControlPlane, String) {
        let directory = try ScratchDirectory.make("store").path
        let path = directory + "/novacron.sqlite"
        let store = try SQLiteStore(path: path)
        return (store, ControlPlane(store: store, auditLog: store, access: store), path)
    }

    @Test func migrationsAreNamedAndApplied() throws {
        let (store, _, _) = try makeStore()
        #expect(
            try store.appliedMigrations() == [
                "2026-11-29-resources", "2026-11-29-audit-log", "2026-11-29-access", "2026-11-29-workflows", "2026-11-29-workflow-schedules",
                "2026-11-29-policy-records",
                "2026-12-06-commit-batches",
            ])
    }

    @Test func resourcesSurviveReopening() async throws {
        let (_, controlPlane, path) = try makeStore()
        _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a", labels: ["env": "prod"]))], as: Fixtures.admin)
        let reopened = try SQLiteStore(path: path)
        let vm = try #require(try await reopened.resource(.vm, named: "a"))
        #expect(vm.metadata.labels == ["env": "prod"])
        #expect(vm.metadata.resourceVersion == 1)
        #expect(vm.metadata.uid != nil)
    }

    @Test func staleVersionIsRefused() async throws {
        let (store, controlPlane, _) = try makeStore()
        let created = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)[0].resource
        var update = created
        update.spec = update.spec.setting("vcpus", to: 4)
        _ = try await controlPlane.replace(update, as: Fixtures.admin)
        update.spec = update.spec.setting("vcpus", to: 8)
        await #expect {
            _ = try await controlPlane.replace(update, as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.code == .conflict }
        #expect(try await store.resource(.vm, named: "a")?.spec["vcpus"] == 4)
        #expect(try await store.history(.vm, named: "a").map(\.version) == [1, 2])
    }

    @Test func aFailedBatchLeavesNoTrace() async throws {
        let (store, controlPlane, _) = try makeStore()
        _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
        let before = try await store.entries(after: 0, limit: 100).count
        let eventsBefore = try await store.events(after: 0, limit: 100).count
        await #expect(throws: NovaError.self) {
            _ = try await store.commit(
                [.create(Fixtures.resource(Fixtures.vmDocument("b"))), .create(Fixtures.resource(Fixtures.vmDocument("a")))],
                by: "test", at: Date(), ids: UUIDGenerator())
        }
        #expect(try await store.resource(.vm, named: "b") == nil)
        #expect(try await store.entries(after: 0, limit: 100).count == before)
        #expect(try await store.events(after: 0, limit: 100).count == eventsBefore)
    }

    @Test func listingPagesThroughMatchesOnly() async throws {
        let (store, controlPlane, _) = try makeStore()
        let documents = (1...30).map { Fixtures.vmDocument(String(format: "vm-%02d", $0), labels: ["parity": $0 % 2 == 0 ? "even" : "odd"]) }
        _ = try await controlPlane.apply(try controlPlane.resources(from: documents), as: Fixtures.admin)
        var names: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.resources(.vm, matching: try LabelSelector(parsing: "parity=even"), after: cursor, limit: 4)
            names += page.items.map(\.name)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(names == (1...15).map { String(format: "vm-%02d", $0 * 2) })
    }

    @Test func auditVerifyFindsTheEditedRow() async throws {
        let (store, controlPlane, path) = try makeStore()
        _ = try await controlPlane.apply(try controlPlane.resources(from: [Fixtures.vmDocument("a"), Fixtures.vmDocument("b")]), as: Fixtures.admin)
        _ = try await controlPlane.delete(.vm, named: "a", as: Fixtures.admin)
        let intact = try await store.verify()
        #expect(intact.isIntact && intact.entriesChecked == 3)
        // Someone with the file rewrites history.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2") }
        let result = try await store.verify()
        #expect(result.firstBrokenSequence == 2)
        #expect(result.problem?.contains("changed after it was written") == true)
        // Deleting rows is refused outright.
        await #expect(throws: (any Error).self) {
            try await queue.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE seq = 3") }
        }
    }

    @Test func apiKeysAndRolesPersist() async throws {
        let (store, controlPlane, _) = try makeStore()
        let issued = try #require(try await controlPlane.bootstrapAdminKey())
        _ = try await controlPlane.saveRole(["name": "auditor", "rules": [["verbs": ["get", "list"], "resources": ["audit"]]]], as: Fixtures.admin)
        let auditorKey = try await controlPlane.createAPIKey(name: "auditor-1", roleName: "auditor", as: Fixtures.admin)
        #expect(try await controlPlane.authenticate(bearer: issued.secret)?.role == .admin)
        let auditor = try #require(try await controlPlane.authenticate(bearer: auditorKey.secret))
        #expect(auditor.isAllowed(.list, on: "audit"))
        #expect(!auditor.isAllowed(.create, on: "vms"))
        #expect(try await store.keys().count == 2)
        #expect(try await store.revokeKey(id: auditorKey.record.id, at: Date()))
        #expect(try await controlPlane.authenticate(bearer: auditorKey.secret) == nil)
    }

    @Test func statusWritesProduceEventsOnlyOnChange() async throws {
        let (store, controlPlane, _) = try makeStore()
        _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
        let status = ResourceStatus(phase: "running", host: "host-1", observedVersion: 1)
        #expect(try await store.updateStatus(.vm, named: "a", to: status, at: Date()) != nil)
        #expect(try await store.updateStatus(.vm, named: "a", to: status, at: Date()) == nil)
        let vm = try #require(try await store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "running")
        #expect(vm.metadata.resourceVersion == 1)
    }
}

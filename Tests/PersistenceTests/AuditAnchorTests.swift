import ControlPlane
import Foundation
import GRDB
import NovaCore
import NovaCronTesting
import Persistence
import Testing

/// Found: cutting the chain's tail, or rewriting it whole with recomputed hashes, passed
/// `audit verify`. Signed checkpoints of the head, with a key outside the database, catch both.
@Suite struct AuditAnchorTests {
    struct Setup {
        let store: SQLiteStore
        let controlPlane: ControlPlane
        let anchor: AuditAnchor
        let path: String
        let directory: String
    }

    func setUp() async throws -> Setup {
        let directory = try ScratchDirectory.make("anchor").path
        let path = directory + "/novacron.sqlite"
        let store = try SQLiteStore(path: path)
        let anchor = try AuditAnchor(log: store, keyPath: directory + "/audit.key", checkpointPath: directory + "/checkpoints.jsonl")
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store, auditAnchor: anchor)
        _ = try await controlPlane.apply(try controlPlane.resources(from: [Fixtures.vmDocument("a"), Fixtures.vmDocument("b")]), as: Fixtures.admin)
        _ = try await controlPlane.delete(.vm, named: "a", as: Fixtures.admin)
        #expect(try await anchor.checkpoint(at: Date()) == nil)
        #expect(anchor.lastCheckpoint?.sequence == 3)
        return Setup(store: store, controlPlane: controlPlane, anchor: anchor, path: path, directory: directory)
    }

    @Test func checkpointsAreSignedAndFollowTheHead() async throws {
        let setup = try await setUp()
        #expect(try await setup.controlPlane.verifyAudit(as: Fixtures.admin).isIntact)
        _ = try await setup.controlPlane.delete(.vm, named: "b", as: Fixtures.admin)
        #expect(try await setup.anchor.checkpoint(at: Date()) == nil)
        let lines = try String(contentsOfFile: setup.directory + "/checkpoints.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        // A fresh anchor with the same key reads them back and agrees.
        let again = try AuditAnchor(log: setup.store, keyPath: setup.directory + "/audit.key", checkpointPath: setup.directory + "/checkpoints.jsonl")
        #expect(again.lastCheckpoint?.sequence == 4)
        #expect(try await again.verify().isIntact)
    }

    @Test func aCutTailIsFoundAndWritesStop() async throws {
        let setup = try await setUp()
        let queue = try DatabaseQueue(path: setup.path)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE seq = 3")
        }
        #expect(try await setup.store.verify().isIntact, "the hash chain alone cannot tell")
        let result = try await setup.controlPlane.verifyAudit(as: Fixtures.admin)
        #expect(!result.isIntact)
        #expect(result.problem?.contains("truncated") == true)
        #expect(try await setup.anchor.checkpoint(at: Date())?.contains("truncated") == true)
        await #expect { try await setup.controlPlane.delete(.vm, named: "b", as: Fixtures.admin) } throws: {
            ($0 as? NovaError)?.code == .unavailable
        }
    }

    @Test func aChainRewrittenWithRecomputedHashesIsFound() async throws {
        let setup = try await setUp()
        // Rebuild every entry with one edit and fresh hashes: the chain links and hashes hold.
        let entries = try await setup.store.entries(after: 0, limit: 100)
        var previous = AuditEntry.genesisHash
        var rebuilt: [AuditEntry] = []
        for entry in entries {
            var record = entry.record
            if entry.sequence == 2 { record.actor = "someone-else" }
            let fresh = AuditEntry(sequence: entry.sequence, record: record, previousHash: previous)
            rebuilt.append(fresh)
            previous = fresh.hash
        }
        let queue = try DatabaseQueue(path: setup.path)
        let replacement = rebuilt
        try await queue.write { db in
            for entry in replacement {
                try db.execute(
                    sql: "UPDATE audit_log SET actor = ?, previous_hash = ?, hash = ? WHERE seq = ?",
                    arguments: [entry.record.actor, entry.previousHash, entry.hash, entry.sequence])
            }
        }
        #expect(try await setup.store.verify().isIntact, "the hash chain alone cannot tell")
        let result = try await setup.controlPlane.verifyAudit(as: Fixtures.admin)
        #expect(result.problem?.contains("rewritten") == true)
    }
}

import ControlPlane
import Foundation
import GRDB
import NovaCore

extension SQLiteStore {
    public func append(_ records: [AuditRecord]) async throws {
        try await pool.write { db in try self.appendAudit(db, records) }
    }

    /// Appends inside the caller's transaction, linking each record to the last one stored.
    func appendAudit(_ db: Database, _ records: [AuditRecord]) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var sequence: Int64 = last?["seq"] ?? 0
        var previous: String = last?["hash"] ?? AuditEntry.genesisHash
        for record in records {
            sequence += 1
            let entry = AuditEntry(sequence: sequence, record: record, previousHash: previous)
            try db.execute(
                sql: """
                    INSERT INTO audit_log (seq, at, actor, action, kind, name, before_fingerprint, after_fingerprint, outcome, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    sequence, Timestamp.milliseconds(record.time), record.actor, record.action, record.kind, record.name,
                    record.beforeFingerprint, record.afterFingerprint, record.outcome.rawValue, record.detail, previous, entry.hash,
                ])
            previous = entry.hash
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit]).map(Self.entry)
        }
    }

    public func verify() async throws -> AuditVerification {
        try readNow { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
            var entries: [AuditEntry] = []
            while let row = try cursor.next() { entries.append(Self.entry(row)) }
            return AuditVerification.verify(entries)
        }
    }

    static func entry(_ row: Row) -> AuditEntry {
        let record = AuditRecord(
            time: Timestamp.date(milliseconds: row["at"]), actor: row["actor"], action: row["action"], kind: row["kind"],
            name: row["name"], beforeFingerprint: row["before_fingerprint"], afterFingerprint: row["after_fingerprint"],
            outcome: AuditRecord.Outcome(rawValue: row["outcome"]) ?? .failed, detail: row["detail"])
        return AuditEntry(sequence: row["seq"], record: record, previousHash: row["previous_hash"], storedHash: row["hash"])
    }
}

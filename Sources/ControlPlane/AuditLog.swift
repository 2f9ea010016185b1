import Foundation
import NovaCore

/// Something to record in the audit log.
public struct AuditRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable { case success, denied, failed }

    public var time: Date
    public var actor: String
    /// `create`, `update`, `delete`, `apikey.create`, `role.delete`, …
    public var action: String
    public var kind: String
    public var name: String
    /// Fingerprints of the desired state before and after (empty when there is none).
    public var beforeFingerprint: String
    public var afterFingerprint: String
    public var outcome: Outcome
    public var detail: String

    public init(
        time: Date, actor: String, action: String, kind: String, name: String, beforeFingerprint: String = "",
        afterFingerprint: String = "", outcome: Outcome = .success, detail: String = ""
    ) {
        // What a client named is cut to a bound: an entry never stores a request's bulk.
        self.time = time
        self.actor = AuditRecord.clipped(actor, to: 256)
        self.action = action
        self.kind = AuditRecord.clipped(kind, to: 256)
        self.name = AuditRecord.clipped(name, to: 256)
        self.beforeFingerprint = beforeFingerprint
        self.afterFingerprint = afterFingerprint
        self.outcome = outcome
        self.detail = AuditRecord.clipped(detail, to: 2_048)
    }

    /// At most `limit` UTF-8 bytes, cut between scalars, so clipping a clipped text changes
    /// nothing (entries read back must hash as they were written).
    static func clipped(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let scalars = text.unicodeScalars
        var end = scalars.startIndex
        var bytes = 0
        while end < scalars.endIndex, bytes + scalars[end].utf8.count <= limit - 3 {
            bytes += scalars[end].utf8.count
            end = scalars.index(after: end)
        }
        return String(scalars[..<end]) + "…"
    }
}

/// An audit record as stored: its place in the chain and the hashes that link it.
public struct AuditEntry: Sendable, Hashable {
    public var sequence: Int64
    public var record: AuditRecord
    /// The hash of the entry before this one (64 zeros for the first).
    public var previousHash: String
    /// SHA-256 over this entry's fields and `previousHash`.
    public var hash: String

    public static let genesisHash = String(repeating: "0", count: 64)

    /// Links a record after `previousHash` at position `sequence`.
    public init(sequence: Int64, record: AuditRecord, previousHash: String) {
        self.sequence = sequence
        self.record = record
        self.previousHash = previousHash
        hash = AuditEntry.computeHash(sequence: sequence, record: record, previousHash: previousHash)
    }

    /// Rebuilds a stored entry exactly as it was read, hash included, so verification can compare.
    public init(sequence: Int64, record: AuditRecord, previousHash: String, storedHash: String) {
        self.sequence = sequence
        self.record = record
        self.previousHash = previousHash
        hash = storedHash
    }

    static func computeHash(sequence: Int64, record: AuditRecord, previousHash: String) -> String {
        let fields: Value = [
            "sequence": .int(Int(sequence)), "time": .int(Int(Timestamp.milliseconds(record.time))), "actor": .string(record.actor),
            "action": .string(record.action), "kind": .string(record.kind), "name": .string(record.name),
            "before": .string(record.beforeFingerprint), "after": .string(record.afterFingerprint),
            "outcome": .string(record.outcome.rawValue), "detail": .string(record.detail), "previous": .string(previousHash),
        ]
        return fields.fingerprint
    }

    /// Whether the stored hash matches the entry's content.
    public var isIntact: Bool { hash == AuditEntry.computeHash(sequence: sequence, record: record, previousHash: previousHash) }

    public var value: Value {
        [
            "sequence": .int(Int(sequence)), "time": .string(Timestamp.format(record.time)), "actor": .string(record.actor),
            "action": .string(record.action), "kind": .string(record.kind), "name": .string(record.name),
            "beforeFingerprint": .string(record.beforeFingerprint), "afterFingerprint": .string(record.afterFingerprint),
            "outcome": .string(record.outcome.rawValue), "detail": .string(record.detail),
            "previousHash": .string(previousHash), "hash": .string(hash),
        ]
    }
}

/// The result of walking the chain.
public struct AuditVerification: Sendable, Hashable {
    public var entriesChecked: Int
    /// The first entry whose hash or link does not hold, and why.
    public var firstBrokenSequence: Int64?
    public var problem: String?

    public var isIntact: Bool { firstBrokenSequence == nil }

    public var value: Value {
        var fields: [String: Value] = ["intact": .bool(isIntact), "entriesChecked": .int(entriesChecked)]
        if let firstBrokenSequence { fields["firstBrokenSequence"] = .int(Int(firstBrokenSequence)) }
        if let problem { fields["problem"] = .string(problem) }
        return .object(fields)
    }

    /// Checks entries in sequence order, each against its own hash and its predecessor's.
    public static func verify(_ entries: some Sequence<AuditEntry>) -> AuditVerification {
        var previous = AuditEntry.genesisHash
        var count = 0
        for entry in entries {
            count += 1
            if entry.previousHash != previous {
                return AuditVerification(
                    entriesChecked: count, firstBrokenSequence: entry.sequence,
                    problem: "entry \(entry.sequence) does not link to the entry before it (an entry was removed, inserted or edited)")
            }
            if !entry.isIntact {
                return AuditVerification(
                    entriesChecked: count, firstBrokenSequence: entry.sequence,
                    problem: "entry \(entry.sequence) was changed after it was written (its content no longer matches its hash)")
            }
            previous = entry.hash
        }
        return AuditVerification(entriesChecked: count, firstBrokenSequence: nil, problem: nil)
    }
}

/// The append-only, hash-chained audit log.
public protocol AuditLog: Sendable {
    /// Appends records in order, each linked to the one before.
    func append(_ records: [AuditRecord]) async throws

    /// Entries after a sequence number, oldest first.
    func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]

    /// Walks the whole chain.
    func verify() async throws -> AuditVerification
}

extension AuditRecord {
    /// The record of a committed resource write.
    public static func of(_ write: CommittedWrite, context: CommitContext) -> AuditRecord {
        AuditRecord(
            time: write.event.time, actor: context.actor, action: write.before == nil ? "create" : (write.after == nil ? "delete" : "update"),
            kind: write.event.kind, name: write.event.name,
            beforeFingerprint: write.before?.desiredDocument.fingerprint ?? "",
            afterFingerprint: write.after?.desiredDocument.fingerprint ?? "", detail: context.reason ?? "")
    }
}

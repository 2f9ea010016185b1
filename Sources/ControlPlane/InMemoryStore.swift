import Foundation
import NovaCore

/// Resources, audit log and access data in memory: for tests and throwaway runs.
/// Same semantics as the SQLite store, including atomic batches and the hash chain.
public actor InMemoryStore: ResourceStore, AuditLog, AccessStore, ObserverCursorStore, RetentionStore {
    private var resourcesByKey: [String: Resource] = [:]
    private var historyByKey: [String: [HistoryEntry]] = [:]
    private var eventLog: [ResourceEvent] = []
    private var audit: [AuditEntry] = []
    private var apiKeys: [String: APIKeyRecord] = [:]
    private var roles: [String: Role] = [:]
    private var cursors: [String: Int64] = [:]
    /// The sequence of the newest event, kept apart from the log so retention can shorten it.
    private var lastSequence: Int64 = 0

    public init() {}

    private func key(_ kind: ResourceKind, _ name: String) -> String { "\(kind.name)/\(name)" }

    // MARK: ResourceStore

    public func resource(_ kind: ResourceKind, named name: String) throws -> Resource? { resourcesByKey[key(kind, name)] }

    public func resources(_ kind: ResourceKind, matching selector: LabelSelector, after cursor: String?, limit: Int) throws -> ResourcePage {
        let matching = resourcesByKey.values.filter { $0.kind == kind && selector.matches($0.metadata.labels) && (cursor == nil || $0.name > cursor!) }
            .sorted { $0.name < $1.name }
        let page = Array(matching.prefix(limit))
        return ResourcePage(items: page, nextCursor: matching.count > limit ? page.last?.name : nil)
    }

    public func allResources() throws -> [Resource] { resourcesByKey.values.sorted { $0.reference < $1.reference } }

    public func resourceCounts() throws -> [ResourceCount] {
        var counts: [[String]: Int] = [:]
        for resource in resourcesByKey.values { counts[[resource.kind.name, resource.status.phase.rawValue], default: 0] += 1 }
        return counts.map { ResourceCount(kind: $0.key[0], phase: $0.key[1], count: $0.value) }.sorted { ($0.kind, $0.phase) < ($1.kind, $1.phase) }
    }

    public func latestEventSequence() throws -> Int64 { lastSequence }

    private func nextEvent(_ type: ResourceEvent.EventType, _ resource: Resource, batch: Int64?, _ context: CommitContext) -> ResourceEvent {
        lastSequence += 1
        let event = ResourceEvent(
            sequence: lastSequence, batch: batch, type: type, kind: resource.kind.name, name: resource.name,
            resourceVersion: resource.metadata.resourceVersion, actor: context.actor, reason: context.reason,
            time: context.time, document: resource.document)
        eventLog.append(event)
        return event
    }

    public func commit(_ writes: [ResourceWrite], context: CommitContext, ids: any IDGenerator) throws -> [CommittedWrite] {
        let (actor, time) = (context.actor, context.time)
        // Check everything first so that a refused write leaves nothing behind. The changes are
        // staged beside the store, not in a copy of it: copying every resource on each commit
        // made a write cost O(resources).
        var staged: [String: Resource?] = [:]
        var results: [(before: Resource?, after: Resource?, write: ResourceWrite)] = []
        for write in writes {
            let k = key(write.kind, write.name)
            let stored = staged[k] ?? resourcesByKey[k]
            try Self.check(write, against: stored)
            let after = Self.result(of: write, stored: stored, at: time, ids: ids)
            staged[k] = .some(after)
            results.append((stored, after, write))
        }
        for (k, after) in staged { resourcesByKey[k] = after }
        var committed: [CommittedWrite] = []
        var batch: Int64?
        for result in results {
            let type: ResourceEvent.EventType = result.after == nil ? .deleted : (result.before == nil ? .created : .updated)
            let resource = (result.after ?? result.before)!
            let event = nextEvent(type, resource, batch: batch, context)
            batch = batch ?? event.sequence
            historyByKey[resource.reference, default: []].append(
                HistoryEntry(
                    version: resource.metadata.resourceVersion, operation: type.rawValue, actor: actor, time: time,
                    document: result.after?.desiredDocument))
            let write = CommittedWrite(before: result.before, after: result.after, event: event)
            appendAudit(AuditRecord.of(write, context: context))
            committed.append(write)
        }
        return committed
    }

    public func updateStatus(_ kind: ResourceKind, named name: String, to status: ResourceStatus, context: CommitContext) throws -> ResourceEvent? {
        let k = key(kind, name)
        guard var resource = resourcesByKey[k], resource.status != status else { return nil }
        resource.status = status
        resourcesByKey[k] = resource
        return nextEvent(.statusChanged, resource, batch: nil, context)
    }

    public func history(_ kind: ResourceKind, named name: String) throws -> [HistoryEntry] { historyByKey[key(kind, name)] ?? [] }

    public func events(after sequence: Int64, limit: Int) throws -> [ResourceEvent] {
        Array(eventLog.drop { $0.sequence <= sequence }.prefix(limit))
    }

    // MARK: RetentionStore

    public func compact(_ policy: RetentionPolicy, now: Date, protectedAfter: Int64?) throws -> RetentionReport {
        let eventCutoff = now.addingTimeInterval(-policy.eventAge)
        let beyondCount = lastSequence - Int64(policy.eventCount)
        let protected = protectedAfter ?? .max
        let eventsBefore = eventLog.count
        eventLog.removeAll { ($0.time < eventCutoff || $0.sequence <= beyondCount) && $0.sequence <= protected }
        let historyCutoff = now.addingTimeInterval(-policy.historyAge)
        var removed = 0
        for (key, entries) in historyByKey {
            var kept: [HistoryEntry] = []
            for (offset, entry) in entries.enumerated() {
                let fromNewest = entries.count - 1 - offset
                if fromNewest < policy.historyPerResource && (fromNewest == 0 || entry.time >= historyCutoff) { kept.append(entry) }
            }
            removed += entries.count - kept.count
            historyByKey[key] = kept
        }
        return RetentionReport(events: eventsBefore - eventLog.count, historyEntries: removed)
    }

    // MARK: ObserverCursorStore

    public func observerCursor(named name: String) throws -> Int64? { cursors[name] }
    public func saveObserverCursor(_ sequence: Int64, named name: String) throws { cursors[name] = sequence }
    public func lowestObserverCursor() throws -> Int64? { cursors.values.min() }

    // MARK: AuditLog

    public func append(_ records: [AuditRecord]) throws { records.forEach(appendAudit) }

    private func appendAudit(_ record: AuditRecord) {
        audit.append(AuditEntry(sequence: Int64(audit.count + 1), record: record, previousHash: audit.last?.hash ?? AuditEntry.genesisHash))
    }

    public func entries(after sequence: Int64, limit: Int) throws -> [AuditEntry] {
        Array(audit.drop { $0.sequence <= sequence }.prefix(limit))
    }

    public func verify() throws -> AuditVerification { AuditVerification.verify(audit) }

    /// Overwrites an entry's record in place, as an attacker with the file would: for tests.
    public func tamper(sequence: Int64, _ change: (inout AuditRecord) -> Void) {
        guard let index = audit.firstIndex(where: { $0.sequence == sequence }) else { return }
        let entry = audit[index]
        var record = entry.record
        change(&record)
        audit[index] = AuditEntry(sequence: entry.sequence, record: record, previousHash: entry.previousHash, storedHash: entry.hash)
    }

    // MARK: AccessStore

    public func insertKey(_ record: APIKeyRecord) throws { apiKeys[record.id] = record }
    public func key(id: String) throws -> APIKeyRecord? { apiKeys[id] }
    public func keys() throws -> [APIKeyRecord] { apiKeys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }

    public func revokeKey(id: String, at time: Date) throws -> Bool {
        guard apiKeys[id] != nil else { return false }
        apiKeys[id]!.revokedAt = time
        return true
    }

    public func customRoles() throws -> [Role] { roles.values.sorted { $0.name < $1.name } }
    public func saveRole(_ role: Role) throws { roles[role.name] = role }
    public func deleteRole(named name: String) throws -> Bool { roles.removeValue(forKey: name) != nil }
}

import ControlPlane
import Foundation
import GRDB
import NovaCore
import Workflow

/// The embedded default store: one SQLite file in WAL mode, through GRDB.
///
/// Readers never block the writer. A batch of resource writes, with its history rows, audit
/// entries and events, is one transaction. `synchronous=NORMAL` under WAL survives a process
/// crash; pass `durability: .power` for an fsync at every commit.
public final class SQLiteStore: ResourceStore, AuditLog, AccessStore, ObserverCursorStore, RetentionStore, Sendable {
    public enum Durability: Sendable { case process, power }

    let pool: DatabasePool
    let kinds: [ResourceKind]
    public let path: String
    public let durability: Durability
    let workflowCommits: GroupCommit<[RunCommit]>

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, kinds: [ResourceKind] = ResourceKind.builtIn, durability: Durability = .process) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .power ? "FULL" : "NORMAL")")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw NovaError(.storage, "cannot open the database at \(path): \(error)")
        }
        self.kinds = kinds
        self.path = path
        self.durability = durability
        workflowCommits = GroupCommit { [pool] batches in
            try await pool.write { db in try Self.write(batches.flatMap { $0 }, to: db) }
        }
    }

    /// The names of the migrations applied, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// Reads on the calling thread. Point reads take microseconds under WAL (they never wait for
    /// the writer), which is far less than hopping to GRDB's reader queue and back; measured with
    /// Benchmarks/api-bench.sh, this doubled GET throughput on two cores.
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func decode(_ text: String) throws -> Resource {
        guard let resource = Resource(storedDocument: try Value(json: text), kinds: kinds) else {
            throw NovaError(.storage, "a stored resource could not be read back")
        }
        return resource
    }

    func fetchResource(_ db: Database, _ kind: String, _ name: String) throws -> Resource? {
        try String.fetchOne(db, sql: "SELECT document FROM resources WHERE kind = ? AND name = ?", arguments: [kind, name]).map(decode)
    }

    // MARK: - ResourceStore

    public func resource(_ kind: ResourceKind, named name: String) async throws -> Resource? {
        try readNow { db in try self.fetchResource(db, kind.name, name) }
    }

    public func resources(_ kind: ResourceKind, matching selector: LabelSelector, after cursor: String?, limit: Int) async throws -> ResourcePage {
        try readNow { db in
            var items: [Resource] = []
            var position = cursor ?? ""
            // Filter by labels in Swift, reading in chunks until the page is full.
            while items.count <= limit {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT name, document FROM resources WHERE kind = ? AND name > ? ORDER BY name LIMIT ?",
                    arguments: [kind.name, position, 256])
                if rows.isEmpty { break }
                for row in rows {
                    position = row["name"]
                    let resource = try self.decode(row["document"])
                    if selector.matches(resource.metadata.labels) { items.append(resource) }
                    if items.count > limit { break }
                }
                if rows.count < 256 { break }
            }
            let page = Array(items.prefix(limit))
            return ResourcePage(items: page, nextCursor: items.count > limit ? page.last?.name : nil)
        }
    }

    public func allResources() async throws -> [Resource] {
        try readNow { db in
            try String.fetchAll(db, sql: "SELECT document FROM resources ORDER BY kind, name").map(self.decode)
        }
    }

    public func resourceCounts() async throws -> [ResourceCount] {
        try readNow { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, COALESCE(json_extract(document, '$.status.phase'), '') AS phase, COUNT(*) AS n
                    FROM resources GROUP BY kind, phase ORDER BY kind, phase
                    """
            ).map { ResourceCount(kind: $0["kind"], phase: $0["phase"], count: $0["n"]) }
        }
    }

    public func latestEventSequence() async throws -> Int64 {
        // The AUTOINCREMENT counter, not MAX(seq): retention may have emptied the table.
        try readNow { db in try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'events'") ?? 0 }
    }

    public func commit(_ writes: [ResourceWrite], context: CommitContext, ids: any IDGenerator) async throws -> [CommittedWrite] {
        let (actor, time) = (context.actor, context.time)
        let ms = Timestamp.milliseconds(time)
        return try await pool.write { db in
            var committed: [CommittedWrite] = []
            var batch: Int64?
            for write in writes {
                let stored = try self.fetchResource(db, write.kind.name, write.name)
                try Self.check(write, against: stored)
                let after = Self.result(of: write, stored: stored, at: time, ids: ids)
                if let after {
                    try db.execute(
                        sql: """
                            INSERT INTO resources (kind, name, version, document, updated_at) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (kind, name) DO UPDATE SET version = excluded.version, document = excluded.document, updated_at = excluded.updated_at
                            """, arguments: [after.kind.name, after.name, after.metadata.resourceVersion, after.document.canonicalJSON, ms])
                } else {
                    try db.execute(sql: "DELETE FROM resources WHERE kind = ? AND name = ?", arguments: [write.kind.name, write.name])
                }
                let resource = (after ?? stored)!
                let type: ResourceEvent.EventType = after == nil ? .deleted : (stored == nil ? .created : .updated)
                try db.execute(
                    sql: "INSERT INTO resource_history (kind, name, version, operation, actor, at, document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        resource.kind.name, resource.name, resource.metadata.resourceVersion, type.rawValue, actor, ms,
                        after?.desiredDocument.canonicalJSON,
                    ])
                let event = try self.insertEvent(db, type: type, resource: resource, batch: batch, context: context)
                batch = batch ?? event.sequence
                let write = CommittedWrite(before: stored, after: after, event: event)
                try self.appendAudit(db, [AuditRecord.of(write, context: context)])
                committed.append(write)
            }
            return committed
        }
    }

    /// Inserts an event; the first of a batch names itself as the batch.
    private func insertEvent(_ db: Database, type: ResourceEvent.EventType, resource: Resource, batch: Int64?, context: CommitContext) throws -> ResourceEvent {
        let document = resource.document
        try db.execute(
            sql: "INSERT INTO events (type, kind, name, version, actor, at, document, batch, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                type.rawValue, resource.kind.name, resource.name, resource.metadata.resourceVersion, context.actor,
                Timestamp.milliseconds(context.time), document.canonicalJSON, batch, context.reason,
            ])
        let sequence = db.lastInsertedRowID
        if batch == nil { try db.execute(sql: "UPDATE events SET batch = seq WHERE seq = ?", arguments: [sequence]) }
        return ResourceEvent(
            sequence: sequence, batch: batch ?? sequence, type: type, kind: resource.kind.name, name: resource.name,
            resourceVersion: resource.metadata.resourceVersion, actor: context.actor, reason: context.reason,
            time: context.time, document: document)
    }

    public func updateStatus(_ kind: ResourceKind, named name: String, to status: ResourceStatus, context: CommitContext) async throws -> ResourceEvent? {
        try await pool.write { db in
            guard var resource = try self.fetchResource(db, kind.name, name), resource.status != status else { return nil }
            resource.status = status
            try db.execute(
                sql: "UPDATE resources SET document = ?, updated_at = ? WHERE kind = ? AND name = ?",
                arguments: [resource.document.canonicalJSON, Timestamp.milliseconds(context.time), kind.name, name])
            return try self.insertEvent(db, type: .statusChanged, resource: resource, batch: nil, context: context)
        }
    }

    // MARK: - RetentionStore

    public func compact(_ policy: RetentionPolicy, now: Date, protectedAfter: Int64?) async throws -> RetentionReport {
        let eventCutoff = Timestamp.milliseconds(now.addingTimeInterval(-policy.eventAge))
        let historyCutoff = Timestamp.milliseconds(now.addingTimeInterval(-policy.historyAge))
        return try await pool.write { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'events'") ?? 0
            try db.execute(
                sql: "DELETE FROM events WHERE (at < ? OR seq <= ?) AND seq <= ?",
                arguments: [eventCutoff, latest - Int64(policy.eventCount), protectedAfter ?? Int64.max])
            let events = db.changesCount
            // Each resource keeps its newest entry whatever its age, and at most N in all.
            try db.execute(
                sql: """
                    DELETE FROM resource_history WHERE id IN (
                        SELECT id FROM (
                            SELECT id, at, ROW_NUMBER() OVER (PARTITION BY kind, name ORDER BY id DESC) AS newest
                            FROM resource_history)
                        WHERE newest > ? OR (newest > 1 AND at < ?))
                    """, arguments: [policy.historyPerResource, historyCutoff])
            return RetentionReport(events: events, historyEntries: db.changesCount)
        }
    }

    // MARK: - ObserverCursorStore

    public func observerCursor(named name: String) async throws -> Int64? {
        try readNow { db in try Int64.fetchOne(db, sql: "SELECT seq FROM observer_cursors WHERE name = ?", arguments: [name]) }
    }

    public func saveObserverCursor(_ sequence: Int64, named name: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO observer_cursors (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
                arguments: [name, sequence])
        }
    }

    public func lowestObserverCursor() async throws -> Int64? {
        try readNow { db in try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM observer_cursors") }
    }

    public func history(_ kind: ResourceKind, named name: String) async throws -> [HistoryEntry] {
        try readNow { db in
            try Row.fetchAll(
                db, sql: "SELECT version, operation, actor, at, document FROM resource_history WHERE kind = ? AND name = ? ORDER BY id",
                arguments: [kind.name, name]
            ).map { row in
                let text: String? = row["document"]
                return HistoryEntry(
                    version: row["version"], operation: row["operation"], actor: row["actor"],
                    time: Timestamp.date(milliseconds: row["at"]), document: try text.map { try Value(json: $0) })
            }
        }
    }

    public func events(after sequence: Int64, limit: Int) async throws -> [ResourceEvent] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [sequence, limit]).map { row in
                let text: String? = row["document"]
                return ResourceEvent(
                    sequence: row["seq"], batch: row["batch"], type: ResourceEvent.EventType(rawValue: row["type"]) ?? .updated,
                    kind: row["kind"], name: row["name"], resourceVersion: row["version"], actor: row["actor"], reason: row["reason"],
                    time: Timestamp.date(milliseconds: row["at"]), document: try text.map { try Value(json: $0) })
            }
        }
    }
}

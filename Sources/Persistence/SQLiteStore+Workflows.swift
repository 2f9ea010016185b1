import Foundation
import GRDB
import NovaCore
import Workflow

/// The workflow engine's store: definitions by version, one row per run, one checkpoint row per
/// finished attempt, and the append-only history. Transitions from many runs are written in one
/// transaction (group commit); with `durability: .power` that transaction is fsynced.
extension SQLiteStore: WorkflowStore {
    public func saveDefinition(_ definition: WorkflowDefinition, at time: Date) async throws -> (definition: WorkflowDefinition, created: Bool) {
        let source = definition.source.canonicalJSON
        return try await pool.write { db in
            let latest = try Row.fetchOne(
                db, sql: "SELECT version, document FROM workflow_definitions WHERE name = ? ORDER BY version DESC LIMIT 1",
                arguments: [definition.name])
            if let latest, (latest["document"] as String) == source {
                var stored = definition
                stored.version = latest["version"]
                return (stored, false)
            }
            var saved = definition
            saved.version = ((latest?["version"] as Int?) ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO workflow_definitions (name, version, document, created_at) VALUES (?, ?, ?, ?)",
                arguments: [saved.name, saved.version, source, time.timeIntervalSince1970])
            return (saved, true)
        }
    }

    public func definition(named name: String, version: Int?) async throws -> WorkflowDefinition? {
        try readNow { db in
            let row =
                if let version {
                    try Row.fetchOne(db, sql: "SELECT version, document FROM workflow_definitions WHERE name = ? AND version = ?", arguments: [name, version])
                } else {
                    try Row.fetchOne(
                        db, sql: "SELECT version, document FROM workflow_definitions WHERE name = ? ORDER BY version DESC LIMIT 1", arguments: [name])
                }
            return try row.map(Self.definition)
        }
    }

    public func definitions() async throws -> [WorkflowDefinition] {
        try readNow { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT version, document FROM workflow_definitions d
                    WHERE version = (SELECT MAX(version) FROM workflow_definitions WHERE name = d.name) ORDER BY name
                    """
            ).map(Self.definition)
        }
    }

    private static func definition(_ row: Row) throws -> WorkflowDefinition {
        var definition = try WorkflowDefinition(document: try Value(json: row["document"] as String))
        definition.version = row["version"]
        return definition
    }

    public func commit(_ commits: [RunCommit]) async throws {
        try await workflowCommits.commit(commits)
    }

    static func write(_ commits: [RunCommit], to db: Database) throws {
        let upsertRun = try db.cachedStatement(
            sql: """
                INSERT INTO workflow_runs (id, workflow, version, status, inputs, output, error, seed, started_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, output = excluded.output, error = excluded.error, updated_at = excluded.updated_at
                """)
        let insertHistory = try db.cachedStatement(sql: "INSERT INTO workflow_history (run_id, seq, at, event) VALUES (?, ?, ?, ?)")
        let upsertCheckpoint = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO workflow_checkpoints (run_id, task, attempt, succeeded, output, error, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for commit in commits {
            let run = commit.run
            try upsertRun.execute(arguments: [
                run.id, run.workflow, run.version, run.status.rawValue, run.inputs.canonicalJSON, run.output.canonicalJSON,
                run.error.canonicalJSON, Int64(bitPattern: run.seed), run.startedBy,
                run.createdAt.timeIntervalSince1970, run.updatedAt.timeIntervalSince1970,
            ])
            for entry in commit.history {
                try insertHistory.execute(arguments: [run.id, entry.sequence, entry.time.timeIntervalSince1970, entry.event.value.canonicalJSON])
            }
            for checkpoint in commit.checkpoints {
                try upsertCheckpoint.execute(arguments: [
                    run.id, checkpoint.task.description, checkpoint.attempt, checkpoint.succeeded,
                    checkpoint.output.canonicalJSON, checkpoint.error?.value.canonicalJSON,
                    checkpoint.startedAt.timeIntervalSince1970, checkpoint.finishedAt.timeIntervalSince1970,
                ])
            }
        }
    }

    public func run(id: String) async throws -> RunRecord? {
        try readNow { db in try Row.fetchOne(db, sql: "SELECT * FROM workflow_runs WHERE id = ?", arguments: [id]).map(Self.run) }
    }

    public func runs(workflow: String?, status: RunStatus?, limit: Int) async throws -> [RunRecord] {
        try readNow { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let workflow { conditions.append("workflow = ?"); arguments += [workflow] }
            if let status { conditions.append("status = ?"); arguments += [status.rawValue] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM workflow_runs \(filter) ORDER BY created_at DESC, id DESC LIMIT ?", arguments: arguments)
                .map(Self.run)
        }
    }

    private static func run(_ row: Row) throws -> RunRecord {
        RunRecord(
            id: row["id"], workflow: row["workflow"], version: row["version"], status: RunStatus(rawValue: row["status"]) ?? .failed,
            inputs: try Value(json: row["inputs"] as String), output: try Value(json: row["output"] as String),
            error: try Value(json: row["error"] as String), seed: UInt64(bitPattern: row["seed"]), startedBy: row["started_by"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }

    public func history(run: String) async throws -> [RunHistoryEntry] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT seq, at, event FROM workflow_history WHERE run_id = ? ORDER BY seq", arguments: [run]).map { row in
                RunHistoryEntry(
                    sequence: row["seq"], time: Date(timeIntervalSince1970: row["at"]), event: try RunEvent(value: try Value(json: row["event"] as String)))
            }
        }
    }

    public func checkpoints(run: String) async throws -> [StepCheckpoint] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_checkpoints WHERE run_id = ? ORDER BY finished_at", arguments: [run]).compactMap { row in
                guard let task = TaskKey(row["task"] as String) else { return nil }
                let errorText: String? = row["error"]
                let error = try errorText.map { text -> StepError in
                    let value = try Value(json: text)
                    return StepError(
                        code: value["code"]?.stringValue ?? "", message: value["message"]?.stringValue ?? "",
                        isRetryable: value["retryable"]?.boolValue ?? false)
                }
                return StepCheckpoint(
                    run: run, task: task, attempt: row["attempt"], succeeded: row["succeeded"], output: try Value(json: row["output"] as String),
                    error: error, startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    finishedAt: Date(timeIntervalSince1970: row["finished_at"]))
            }
        }
    }

    public func unfinishedRuns() async throws -> [RunRecord] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_runs WHERE status IN ('running', 'compensating') ORDER BY created_at").map(Self.run)
        }
    }

    public func stepDurations(workflow: String) async throws -> [String: Double] {
        try readNow { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.task AS task, AVG(c.finished_at - c.started_at) AS seconds FROM workflow_checkpoints c
                    JOIN (SELECT id FROM workflow_runs WHERE workflow = ? ORDER BY created_at DESC LIMIT 100) r ON r.id = c.run_id
                    WHERE c.succeeded = 1 AND c.task NOT LIKE 'undo:%' GROUP BY c.task
                    """, arguments: [workflow])
            var durations: [String: (Double, Int)] = [:]
            for row in rows {
                guard let key = TaskKey(row["task"] as String) else { continue }
                let current = durations[key.step] ?? (0, 0)
                durations[key.step] = (current.0 + (row["seconds"] as Double), current.1 + 1)
            }
            return durations.mapValues { $0.0 / Double($0.1) }
        }
    }

    public func compactHistory(ofRunsEndedBefore date: Date) async throws -> Int {
        try await pool.write { db in
            let finished = "SELECT id FROM workflow_runs WHERE status NOT IN ('running', 'compensating') AND updated_at < ?"
            let runs =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(DISTINCT run_id) FROM workflow_history WHERE run_id IN (\(finished))",
                    arguments: [date.timeIntervalSince1970]) ?? 0
            try db.execute(sql: "DELETE FROM workflow_history WHERE run_id IN (\(finished))", arguments: [date.timeIntervalSince1970])
            return runs
        }
    }
}

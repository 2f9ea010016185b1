import GRDB

/// The schema, as named migrations. A migration, once released, is never edited: changes come
/// as new migrations. They use plain SQL, independent of the app's types.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-29-resources") { db in
            try db.execute(
                sql: """
                    CREATE TABLE resources (
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        document TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (kind, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE resource_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        operation TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        document TEXT
                    );
                    CREATE INDEX resource_history_by_resource ON resource_history (kind, name, id);
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        type TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        document TEXT
                    );
                    """)
        }
        migrator.registerMigration("2026-11-29-audit-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        before_fingerprint TEXT NOT NULL,
                        after_fingerprint TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        previous_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("2026-11-29-access") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        key_hash TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE roles (
                        name TEXT PRIMARY KEY,
                        document TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("2026-11-29-workflows") { db in
            try db.execute(
                sql: """
                    CREATE TABLE workflow_definitions (
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        document TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (name, version)
                    ) WITHOUT ROWID;
                    CREATE TABLE workflow_runs (
                        id TEXT PRIMARY KEY,
                        workflow TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        inputs TEXT NOT NULL,
                        output TEXT NOT NULL,
                        error TEXT NOT NULL,
                        seed INTEGER NOT NULL,
                        started_by TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX workflow_runs_unfinished ON workflow_runs (status) WHERE status IN ('running', 'compensating');
                    CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow, created_at);
                    CREATE INDEX workflow_runs_by_time ON workflow_runs (created_at);
                    CREATE TABLE workflow_checkpoints (
                        run_id TEXT NOT NULL,
                        task TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        succeeded INTEGER NOT NULL,
                        output TEXT NOT NULL,
                        error TEXT,
                        started_at REAL NOT NULL,
                        finished_at REAL NOT NULL,
                        PRIMARY KEY (run_id, task)
                    ) WITHOUT ROWID;
                    CREATE TABLE workflow_history (
                        run_id TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        at REAL NOT NULL,
                        event TEXT NOT NULL,
                        PRIMARY KEY (run_id, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("2026-11-29-workflow-schedules") { db in
            try db.execute(
                sql: """
                    CREATE TABLE workflow_schedules (
                        name TEXT PRIMARY KEY,
                        document TEXT NOT NULL,
                        last_slot REAL,
                        paused INTEGER NOT NULL DEFAULT 0,
                        buffered TEXT NOT NULL DEFAULT '[]'
                    );
                    """)
        }
        migrator.registerMigration("2026-11-29-policy-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE policy_decisions (
                        id INTEGER PRIMARY KEY,
                        time REAL NOT NULL,
                        policy TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        subject TEXT NOT NULL,
                        operation TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        result TEXT NOT NULL,
                        cached INTEGER NOT NULL,
                        microseconds REAL NOT NULL
                    );
                    CREATE TABLE policy_violations (
                        id INTEGER PRIMARY KEY,
                        time REAL NOT NULL,
                        policy TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        enforcement TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        operation TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        messages TEXT NOT NULL
                    );
                    CREATE INDEX policy_violations_by_resource ON policy_violations (kind, name, id);
                    CREATE INDEX policy_violations_by_policy ON policy_violations (policy, id);
                    CREATE INDEX policy_violations_by_time ON policy_violations (time);
                    """)
        }
        migrator.registerMigration("2026-12-06-commit-batches") { db in
            // Events name their batch and the writer's reason, so observers can be fed whole
            // batches from the log; durable observers keep their positions.
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN batch INTEGER;
                    ALTER TABLE events ADD COLUMN reason TEXT;
                    CREATE INDEX events_by_time ON events (at);
                    CREATE INDEX resource_history_by_time ON resource_history (at);
                    CREATE TABLE observer_cursors (
                        name TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }
}

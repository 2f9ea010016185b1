import Foundation
import GRDB
import NovaCore
import Policy

/// The policy engine's decision log and violations, kept across restarts. Each write's
/// decisions and violations go in one transaction; the oldest rows beyond a bound are pruned,
/// so neither table grows without limit.
extension SQLiteStore: PolicyRecordStore {
    static let keptDecisions = 1_000_000
    static let keptViolations = 200_000

    public func record(decisions: [PolicyEngine.LogEntry], violations: [PolicyEngine.Violation]) async throws {
        try await pool.write { db in
            for d in decisions {
                try db.execute(
                    sql: """
                        INSERT INTO policy_decisions (time, policy, version, subject, operation, actor, fingerprint, result, cached, microseconds)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        d.time.timeIntervalSince1970, d.policy, d.version, d.subject, d.operation, d.actor, d.fingerprint,
                        d.result, d.cached, d.microseconds,
                    ])
            }
            for v in violations {
                try db.execute(
                    sql: """
                        INSERT INTO policy_violations (time, policy, version, enforcement, kind, name, operation, actor, messages)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        v.time.timeIntervalSince1970, v.policy, v.version, v.enforcement.rawValue, v.kind, v.name, v.operation,
                        v.actor, Value.array(v.messages.map(\.value)).canonicalJSON,
                    ])
            }
            // Pruning now and then keeps the tables bounded without a scan per write.
            let last = db.lastInsertedRowID
            if last % 1_000 == 0 {
                try db.execute(sql: "DELETE FROM policy_decisions WHERE id <= (SELECT MAX(id) FROM policy_decisions) - ?", arguments: [Self.keptDecisions])
                try db.execute(sql: "DELETE FROM policy_violations WHERE id <= (SELECT MAX(id) FROM policy_violations) - ?", arguments: [Self.keptViolations])
            }
        }
    }

    public func violations(resource: String?, policy: String?, since: Date?, limit: Int) async throws -> [PolicyEngine.Violation] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let resource {
            let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                conditions.append("kind = ? AND name = ?")
                arguments += [parts[0], parts[1]]
            } else {
                conditions.append("name = ?")
                arguments.append(resource)
            }
        }
        if let policy { conditions.append("policy = ?"); arguments.append(policy) }
        if let since { conditions.append("time >= ?"); arguments.append(since.timeIntervalSince1970) }
        arguments.append(limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM (SELECT * FROM policy_violations \(filter) ORDER BY id DESC LIMIT ?) ORDER BY id"
        guard let statementArguments = StatementArguments(arguments) else { return [] }
        return try readNow { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                let messages = (try? Value(json: row["messages"] as String))?.arrayValue ?? []
                return PolicyEngine.Violation(
                    time: Date(timeIntervalSince1970: row["time"]), policy: row["policy"], version: row["version"],
                    enforcement: PolicySpec.Enforcement(rawValue: row["enforcement"]) ?? .block, kind: row["kind"], name: row["name"],
                    operation: row["operation"], actor: row["actor"], messages: messages.map(RegoPolicy.Message.init))
            }
        }
    }

    public func decisions(limit: Int) async throws -> [PolicyEngine.LogEntry] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM policy_decisions ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit]).map { row in
                PolicyEngine.LogEntry(
                    time: Date(timeIntervalSince1970: row["time"]), policy: row["policy"], version: row["version"],
                    subject: row["subject"], operation: row["operation"], actor: row["actor"], fingerprint: row["fingerprint"],
                    result: row["result"], cached: row["cached"], microseconds: row["microseconds"])
            }
        }
    }
}

import Foundation
import NovaCore

/// Where the engine keeps what it decided: the decision log and the violations, queryable by
/// resource, policy and time. `SQLiteStore` keeps them durably; this in-memory one is bounded.
public protocol PolicyRecordStore: Sendable {
    /// Records one write's decisions and violations together.
    func record(decisions: [PolicyEngine.LogEntry], violations: [PolicyEngine.Violation]) async throws
    /// Violations, oldest first (the newest `limit`), by resource (`Kind/name` or name), policy and time.
    func violations(resource: String?, policy: String?, since: Date?, limit: Int) async throws -> [PolicyEngine.Violation]
    /// The newest `limit` decisions, oldest first.
    func decisions(limit: Int) async throws -> [PolicyEngine.LogEntry]
}

/// Decisions and violations in memory, each list bounded (the oldest tenth is dropped when full).
public actor InMemoryPolicyRecords: PolicyRecordStore {
    var log: [PolicyEngine.LogEntry] = []
    var recorded: [PolicyEngine.Violation] = []
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public func record(decisions: [PolicyEngine.LogEntry], violations: [PolicyEngine.Violation]) {
        append(&log, decisions)
        append(&recorded, violations)
    }

    func append<T>(_ list: inout [T], _ items: [T]) {
        if list.count + items.count > capacity { list.removeFirst(min(list.count, max(items.count, capacity / 10))) }
        list += items
    }

    public func violations(resource: String?, policy: String?, since: Date?, limit: Int) -> [PolicyEngine.Violation] {
        let matching = recorded.filter { v in
            (resource.map { $0 == v.name || $0 == "\(v.kind)/\(v.name)" } ?? true) && (policy.map { $0 == v.policy } ?? true)
                && (since.map { v.time >= $0 } ?? true)
        }
        return Array(matching.suffix(limit))
    }

    public func decisions(limit: Int) -> [PolicyEngine.LogEntry] { Array(log.suffix(limit)) }
}

import Foundation
import NovaCore
import Synchronization

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

/// Decisions and violations in memory, each list bounded: past its capacity the oldest entry
/// makes room for the newest (a ring, so recording never shifts the whole list). A lock, not
/// an actor: the engine records on every decision, and a hop to another executor there cost
/// as much as evaluating a small policy.
public final class InMemoryPolicyRecords: PolicyRecordStore {
    private struct Lists {
        var log: Ring<PolicyEngine.LogEntry>
        var recorded: Ring<PolicyEngine.Violation>
    }
    private let lists: Mutex<Lists>

    public init(capacity: Int = 10_000) {
        lists = Mutex(Lists(log: Ring(capacity: capacity), recorded: Ring(capacity: capacity)))
    }

    public func record(decisions: [PolicyEngine.LogEntry], violations: [PolicyEngine.Violation]) {
        recordNow(decisions: decisions, violations: violations)
    }

    /// `record`, callable without leaving the caller's executor.
    func recordNow(decisions: [PolicyEngine.LogEntry], violations: [PolicyEngine.Violation]) {
        lists.withLock { lists in
            for decision in decisions { lists.log.append(decision) }
            for violation in violations { lists.recorded.append(violation) }
        }
    }

    public func violations(resource: String?, policy: String?, since: Date?, limit: Int) -> [PolicyEngine.Violation] {
        let matching = lists.withLock { $0.recorded.elements }.filter { v in
            (resource.map { $0 == v.name || $0 == "\(v.kind)/\(v.name)" } ?? true) && (policy.map { $0 == v.policy } ?? true)
                && (since.map { v.time >= $0 } ?? true)
        }
        return Array(matching.suffix(limit))
    }

    public func decisions(limit: Int) -> [PolicyEngine.LogEntry] { Array(lists.withLock { $0.log.elements }.suffix(limit)) }
}

/// A fixed-capacity list that overwrites its oldest element once full.
struct Ring<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var start = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[start] = element
            start = (start + 1) % capacity
        }
    }

    /// Oldest first.
    var elements: [Element] { Array(storage[start...] + storage[..<start]) }
}

import NovaCore
import Synchronization

/// What a decision was made on — the admission input without its time — with its content
/// hash (the decision cache's key) and its fingerprint, SHA-256 of its canonical JSON, computed
/// when first asked for. Writing canonical JSON cost as much as evaluating a small policy, and
/// most decision-log entries are never read; one input is shared by the entries of one write
/// and by the cache.
public final class DecisionInput: Sendable {
    public let value: Value
    let hash: UInt64
    private let computed = Mutex<String?>(nil)

    public init(_ value: Value) {
        self.value = value
        hash = value.contentHash
    }

    public var fingerprint: String {
        if let known = computed.withLock({ $0 }) { return known }
        let fingerprint = value.fingerprint
        computed.withLock { $0 = fingerprint }
        return fingerprint
    }
}

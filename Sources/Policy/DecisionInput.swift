import NovaCore
import Synchronization

/// What a decision was made on — the admission input, of which everything but its `time` counts
/// — with its content hash (the decision cache's key) and its fingerprint, SHA-256 of the
/// canonical JSON of the input without `time`, computed when first asked for. Writing canonical
/// JSON cost as much as evaluating a small policy, and most decision-log entries are never
/// read; one input is shared by the entries of one write and by the cache.
public final class DecisionInput: Sendable {
    /// The whole input, `time` included (it is what policies were evaluated on).
    public let value: Value
    let hash: UInt64
    private let computed = Mutex<String?>(nil)

    public init(_ value: Value) {
        self.value = value
        hash = value.contentHash(excludingField: "time")
    }

    /// Whether the inputs are the same but for their time.
    func isSame(as other: DecisionInput) -> Bool {
        self === other || (hash == other.hash && value.isEqual(to: other.value, excludingField: "time"))
    }

    public var fingerprint: String {
        if let known = computed.withLock({ $0 }) { return known }
        let fingerprint = value.setting("time", to: nil).fingerprint
        computed.withLock { $0 = fingerprint }
        return fingerprint
    }
}

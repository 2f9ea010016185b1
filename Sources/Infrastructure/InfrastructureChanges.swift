import NovaCore
import Synchronization

/// A resource on the infrastructure that changed by itself (a crash, a failed host, an edit
/// made behind NovaCron's back), named so the reconciler can look at it again.
public struct InfrastructureChange: Sendable, Hashable {
    public var kind: ResourceKind
    public var name: String

    public init(kind: ResourceKind, name: String) {
        self.kind = kind
        self.name = name
    }
}

/// A driver that tells of changes it did not make itself, so nothing has to poll it. A driver
/// without this ability is looked at again on the reconciler's full resync.
public protocol ReportsInfrastructureChanges: InfrastructureDriver {
    /// Changes from now on; the stream ends when the consumer stops iterating.
    func changes() -> AsyncStream<InfrastructureChange>
}

/// Hands changes to every subscriber; a slow subscriber loses the oldest beyond its buffer
/// (the reconciler's resync covers the loss).
public final class InfrastructureChangeHub: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<InfrastructureChange>.Continuation]>([:])
    private let next = Atomic<Int>(0)

    public init() {}

    public func subscribe() -> AsyncStream<InfrastructureChange> {
        let (stream, continuation) = AsyncStream<InfrastructureChange>.makeStream(bufferingPolicy: .bufferingNewest(4_096))
        let id = next.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    public func publish(_ change: InfrastructureChange) {
        for subscriber in subscribers.withLock({ Array($0.values) }) { subscriber.yield(change) }
    }
}

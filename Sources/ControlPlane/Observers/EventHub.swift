import Synchronization

/// Hands committed events to live subscribers (the event stream, the reconciler).
///
/// Subscribers get events published after they subscribed; anything older comes from the store.
/// A slow subscriber loses the oldest events beyond its buffer rather than slowing writers.
public final class EventHub: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<ResourceEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of events published from now on; it ends when the consumer stops iterating.
    public func subscribe(bufferSize: Int = 1024) -> AsyncStream<ResourceEvent> {
        let (stream, continuation) = AsyncStream<ResourceEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state -> Int in
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ events: [ResourceEvent]) {
        guard !events.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            for event in events { subscriber.yield(event) }
        }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}

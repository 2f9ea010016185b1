import ControlPlane
import Synchronization

/// A commit observer that records every batch it is handed; it can be told to fail the next
/// few deliveries, to show that a failed batch is offered again, not skipped.
public final class RecordingObserver: CommitObserver {
    public let observerName: String
    private let state = Mutex<(batches: [CommitBatch], failuresLeft: Int)>(([], 0))

    public init(name: String = "recorder", failing failures: Int = 0) {
        observerName = name
        state.withLock { $0.failuresLeft = failures }
    }

    public func observe(_ batch: CommitBatch) async throws {
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw RecordingObserverFailure()
            }
            state.batches.append(batch)
        }
    }

    public var batches: [CommitBatch] { state.withLock { $0.batches } }

    /// Every change seen, in order, as `type Kind/name v<version> by actor`.
    public var changes: [String] {
        batches.flatMap(\.changes).map { "\($0.type.rawValue) \($0.kind)/\($0.name) v\($0.resourceVersion) by \($0.actor)" }
    }
}

struct RecordingObserverFailure: Error {}

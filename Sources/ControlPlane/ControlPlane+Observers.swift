import Foundation
import NovaCore
import Synchronization

extension ControlPlane {
    /// Registers an observer of every committed batch and returns its feed.
    ///
    /// A durable observer resumes after the position it saved (seeing what was committed while
    /// it was away); any other starts after the newest committed event, and reads what exists
    /// through `inventory(as:)` after registering (a change made in between is delivered too,
    /// so it may see something twice, never miss it). An observer that is not synchronous is
    /// delivered to by its owner running `feed.run()`.
    public func addObserver(_ observer: any CommitObserver, delivery: ObserverDelivery = ObserverDelivery()) async throws -> CommitFeed {
        let latest = try await store.latestEventSequence()
        var position = latest
        if delivery.isDurable {
            guard let cursors else {
                throw NovaError(.unsupported, "this store cannot keep observer positions, so \(observer.observerName) cannot be durable")
            }
            position = try await cursors.observerCursor(named: observer.observerName) ?? 0
        }
        let feed = CommitFeed(
            observer: observer, delivery: delivery, store: store, cursors: cursors, position: position,
            committed: latest, logger: logger)
        feeds.withLock { $0.append(feed) }
        return feed
    }

    /// Stops delivering to an observer.
    public func removeObserver(_ feed: CommitFeed) {
        feeds.withLock { $0.removeAll { $0 === feed } }
    }

    /// Tells every feed a batch was committed: synchronous ones deliver before this returns.
    func notifyObservers(of batch: CommitBatch) async {
        let current = feeds.withLock { $0 }
        for feed in current {
            await feed.committed(through: batch.lastSequence, batch: batch)
        }
    }
}

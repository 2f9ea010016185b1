import Foundation
import Logging

/// Delivers the committed log to one observer, batch by batch, in commit order.
///
/// The store's event sequence is the commit order (a batch whose events are visible implies
/// every earlier batch is), so the feed reads the log after its position whenever the door
/// says something new was committed; a batch the door hands over in memory right after the
/// previous one is delivered without reading the store at all. It never polls: it waits to
/// be told.
public actor CommitFeed {
    public nonisolated let observerName: String
    let observer: any CommitObserver
    let delivery: ObserverDelivery
    let store: any ResourceStore
    let cursors: (any ObserverCursorStore)?
    let logger: Logger
    /// The last sequence delivered.
    public private(set) var position: Int64
    /// The newest sequence the door has reported committed.
    var committed: Int64
    var waiters: [(sequence: Int64, continuation: CheckedContinuation<Void, Never>)] = []
    let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    /// Batches delivered since the feed started (for tests and metrics).
    public private(set) var deliveredBatches = 0

    static let pageSize = 512

    init(
        observer: any CommitObserver, delivery: ObserverDelivery, store: any ResourceStore, cursors: (any ObserverCursorStore)?,
        position: Int64, committed: Int64, logger: Logger
    ) {
        self.observerName = observer.observerName
        self.observer = observer
        self.delivery = delivery
        self.store = store
        self.cursors = cursors
        self.logger = logger
        self.position = position
        self.committed = committed
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs delivery until the task is cancelled: the observer's owner calls this from its own
    /// service (a synchronous observer needs no loop: writers deliver to it).
    public func run() async {
        if committed > position { wake.yield() }
        for await _ in wakeups {
            if Task.isCancelled { break }
            await pump(handing: nil)
        }
    }

    /// The door committed `batch` (or, with no batch, events through `sequence`).
    func committed(through sequence: Int64, batch: CommitBatch?) async {
        committed = max(committed, sequence)
        guard delivery.isSynchronous else {
            wake.yield()
            return
        }
        await pump(handing: batch)
        await waitForDelivery(through: sequence)
    }

    /// Returns once everything through `sequence` has been delivered.
    public func waitForDelivery(through sequence: Int64) async {
        guard position < sequence else { return }
        committed = max(committed, sequence)
        if delivery.isSynchronous, !isDraining {
            await pump(handing: nil)
            if position >= sequence { return }
        } else {
            wake.yield()
        }
        await withCheckedContinuation { continuation in waiters.append((sequence, continuation)) }
    }

    /// One deliverer at a time (the actor is re-entered at every await): the others wait for
    /// their sequence to be delivered.
    private var isDraining = false

    private func pump(handing batch: CommitBatch?) async {
        guard !isDraining else { return }
        isDraining = true
        defer { isDraining = false }
        if let batch, batch.firstSequence == position + 1 { await deliver(batch) }
        await drain()
    }

    /// Delivers what the log holds after the position, up to what is known committed.
    func drain() async {
        while position < committed, !Task.isCancelled {
            let events: [ResourceEvent]
            do {
                events = try await store.events(after: position, limit: Self.pageSize)
            } catch {
                logger.warning("commit feed \(observerName) cannot read the log: \(error)")
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            guard let first = events.first else { break }
            if first.sequence > position + 1, position > 0 {
                logger.warning("commit feed \(observerName): events \(position + 1)…\(first.sequence - 1) were removed by retention before it saw them")
            }
            for batch in Self.batches(of: events, pageIsFull: events.count == Self.pageSize) where batch.lastSequence > position {
                await deliver(batch)
            }
            if events.count < Self.pageSize { committed = max(committed, events.last!.sequence) }
        }
        resumeWaiters()
    }

    /// Groups a page of the log into batches; with a full page, the trailing batch may be cut
    /// short by the page's end, so it is left for the next read (unless it is the only one).
    static func batches(of events: [ResourceEvent], pageIsFull: Bool) -> [CommitBatch] {
        var batches: [CommitBatch] = []
        var current: [ResourceEvent] = []
        for event in events {
            if let last = current.last, last.batch != event.batch {
                batches.append(CommitBatch(changes: current))
                current = []
            }
            current.append(event)
        }
        if !current.isEmpty, !pageIsFull || batches.isEmpty { batches.append(CommitBatch(changes: current)) }
        return batches
    }

    /// Hands one batch to the observer, retrying with a growing pause until it takes it.
    func deliver(_ batch: CommitBatch) async {
        var pause = Duration.milliseconds(50)
        while true {
            do {
                try await observer.observe(batch)
                break
            } catch {
                if Task.isCancelled { return }
                logger.warning("observer \(observerName) failed on batch \(batch.firstSequence)…\(batch.lastSequence) (retrying in \(pause)): \(error)")
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(30))
            }
        }
        position = batch.lastSequence
        deliveredBatches += 1
        if delivery.isDurable, let cursors {
            do { try await cursors.saveObserverCursor(position, named: observerName) } catch {
                logger.warning("observer \(observerName): position \(position) not saved (it will see these batches again after a restart): \(error)")
            }
        }
        resumeWaiters()
    }

    func resumeWaiters() {
        guard !waiters.isEmpty else { return }
        let position = position
        let ready = waiters.filter { $0.sequence <= position }
        waiters.removeAll { $0.sequence <= position }
        for waiter in ready { waiter.continuation.resume() }
    }
}

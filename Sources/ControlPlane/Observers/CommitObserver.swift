import Foundation

/// One committed batch as observers see it: the changes of one transaction, in commit order.
public struct CommitBatch: Sendable {
    /// Never empty; every change shares the batch's actor, reason and time.
    public var changes: [ResourceEvent]

    public init(changes: [ResourceEvent]) {
        precondition(!changes.isEmpty, "a batch holds at least one change")
        self.changes = changes
    }

    public var firstSequence: Int64 { changes[0].sequence }
    public var lastSequence: Int64 { changes[changes.count - 1].sequence }
    public var actor: String { changes[0].actor }
    public var reason: String? { changes[0].reason }
    public var time: Date { changes[0].time }
}

/// Something that reacts to what the door commits: the policy engine, the reconciler, and the
/// capabilities built on the core (drift, GitOps, compliance…). The door hands it every
/// committed batch (desired-state writes and status writes alike) exactly once and in commit
/// order; a batch it throws on is offered again after a pause, so nothing is skipped.
public protocol CommitObserver: Sendable {
    /// Names the observer; a durable observer's position in the log is kept under this name.
    var observerName: String { get }

    func observe(_ batch: CommitBatch) async throws
}

/// How the door delivers to one observer.
public struct ObserverDelivery: Sendable {
    /// The observer's position is saved after every batch, so after a restart it resumes where
    /// it stopped and sees every batch committed meanwhile (otherwise it starts at the newest).
    public var isDurable: Bool
    /// A write returns only once this observer has seen it (the policy engine: a policy
    /// created a moment ago is enforced on the next write). Otherwise the observer's owner runs
    /// the delivery loop (`CommitFeed.run()`) and writers never wait for it.
    public var isSynchronous: Bool

    public init(isDurable: Bool = false, isSynchronous: Bool = false) {
        self.isDurable = isDurable
        self.isSynchronous = isSynchronous
    }
}

/// Where durable observers' positions are kept.
public protocol ObserverCursorStore: Sendable {
    /// The last sequence the named observer finished (nil: it never ran).
    func observerCursor(named name: String) async throws -> Int64?
    func saveObserverCursor(_ sequence: Int64, named name: String) async throws
    /// The lowest position of any durable observer: events after it are kept by retention.
    func lowestObserverCursor() async throws -> Int64?
}

import Foundation
import NovaCore

/// One change to the desired state, as the store applies it.
public enum ResourceWrite: Sendable {
    /// Creates the resource; fails with `already_exists` if the name is taken.
    case create(Resource)
    /// Replaces the desired state; fails with `conflict` unless the stored version is `expectedVersion`.
    case update(Resource, expectedVersion: Int)
    /// Deletes; with a version, only if the stored version is still that one.
    case delete(ResourceKind, name: String, expectedVersion: Int?)

    public var kind: ResourceKind {
        switch self {
        case .create(let r), .update(let r, _): r.kind
        case .delete(let kind, _, _): kind
        }
    }

    public var name: String {
        switch self {
        case .create(let r), .update(let r, _): r.name
        case .delete(_, let name, _): name
        }
    }
}

/// What a committed write did: the resource before and after, and the event it produced.
public struct CommittedWrite: Sendable {
    public var before: Resource?
    public var after: Resource?
    public var event: ResourceEvent

    public init(before: Resource?, after: Resource?, event: ResourceEvent) {
        self.before = before
        self.after = after
        self.event = event
    }
}

/// A page of a listing; `nextCursor` continues it.
public struct ResourcePage: Sendable {
    public var items: [Resource]
    public var nextCursor: String?

    public init(items: [Resource], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// One change in a resource's history.
public struct HistoryEntry: Sendable, Hashable {
    public var version: Int
    public var operation: String
    public var actor: String
    public var time: Date
    /// The desired state after the change (nil after a delete).
    public var document: Value?

    public init(version: Int, operation: String, actor: String, time: Date, document: Value?) {
        self.version = version
        self.operation = operation
        self.actor = actor
        self.time = time
        self.document = document
    }

    public var value: Value {
        [
            "version": .int(version), "operation": .string(operation), "actor": .string(actor),
            "time": .string(Timestamp.format(time)), "document": document ?? .null,
        ]
    }
}

/// Where resources live. Implementations apply a batch of writes atomically: every write of the
/// batch, its history rows, its audit entries and its events commit together or not at all.
/// Only `ControlPlane` holds one: everything else reads and writes through the door.
public protocol ResourceStore: Sendable {
    func resource(_ kind: ResourceKind, named name: String) async throws -> Resource?

    /// Resources of a kind in name order, after `cursor`, that match the selector.
    func resources(_ kind: ResourceKind, matching selector: LabelSelector, after cursor: String?, limit: Int) async throws -> ResourcePage

    /// Every resource of every kind (for the reconciler's resync and the door's inventory).
    func allResources() async throws -> [Resource]

    /// How many resources there are of each kind in each phase (for metrics, without reading them).
    func resourceCounts() async throws -> [ResourceCount]

    /// Applies the writes in one transaction, recording history, audit entries and events (one
    /// batch, each event carrying the context's actor and reason).
    func commit(_ writes: [ResourceWrite], context: CommitContext, ids: any IDGenerator) async throws -> [CommittedWrite]

    /// Replaces a resource's status if it differs from the stored one; returns the event, if any.
    func updateStatus(_ kind: ResourceKind, named name: String, to status: ResourceStatus, context: CommitContext) async throws -> ResourceEvent?

    func history(_ kind: ResourceKind, named name: String) async throws -> [HistoryEntry]

    /// Events after a sequence number, oldest first.
    func events(after sequence: Int64, limit: Int) async throws -> [ResourceEvent]

    /// The sequence of the newest event (0: none yet).
    func latestEventSequence() async throws -> Int64
}

/// A count of resources of one kind in one phase.
public struct ResourceCount: Sendable, Hashable {
    public var kind: String
    public var phase: String
    public var count: Int

    public init(kind: String, phase: String, count: Int) {
        self.kind = kind
        self.phase = phase
        self.count = count
    }
}

extension ResourceStore {
    /// Commits under an actor with no stated reason.
    public func commit(_ writes: [ResourceWrite], by actor: String, at time: Date, ids: any IDGenerator) async throws -> [CommittedWrite] {
        try await commit(writes, context: CommitContext(actor: actor, time: time), ids: ids)
    }

    /// Writes a status as the reconciler.
    public func updateStatus(_ kind: ResourceKind, named name: String, to status: ResourceStatus, at time: Date) async throws -> ResourceEvent? {
        try await updateStatus(kind, named: name, to: status, context: CommitContext(actor: Principal.reconciler.name, time: time))
    }
}

extension ResourceStore {
    /// Checks a write against the stored resource, as every implementation must.
    public static func check(_ write: ResourceWrite, against stored: Resource?) throws(NovaError) {
        switch write {
        case .create(let resource):
            if let stored {
                throw NovaError(
                    .alreadyExists,
                    "\(resource.reference) already exists (resourceVersion \(stored.metadata.resourceVersion)); you sent a create without a resourceVersion: send resourceVersion \(stored.metadata.resourceVersion) to replace it, or use apply"
                )
            }
        case .update(let resource, let expected):
            guard let stored else { throw NovaError(.notFound, "\(resource.reference) does not exist") }
            if stored.metadata.resourceVersion != expected {
                throw NovaError(
                    .conflict,
                    "\(resource.reference) has changed: you sent resourceVersion \(expected), it is now \(stored.metadata.resourceVersion); read it again and retry"
                )
            }
        case .delete(let kind, let name, let expected):
            guard let stored else { throw NovaError(.notFound, "\(kind.name)/\(name) does not exist") }
            if let expected, stored.metadata.resourceVersion != expected {
                throw NovaError(
                    .conflict, "\(kind.name)/\(name) has changed: you sent resourceVersion \(expected), it is now \(stored.metadata.resourceVersion)")
            }
        }
    }

    /// The resource a write leaves behind, with bookkeeping filled in.
    public static func result(of write: ResourceWrite, stored: Resource?, at time: Date, ids: any IDGenerator) -> Resource? {
        switch write {
        case .create(var resource):
            resource.metadata.resourceVersion = 1
            resource.metadata.uid = ids.makeID()
            resource.metadata.createdAt = time
            resource.metadata.updatedAt = time
            resource.status = ResourceStatus(updatedAt: time)
            return resource
        case .update(var resource, _):
            resource.metadata.resourceVersion = (stored?.metadata.resourceVersion ?? 0) + 1
            resource.metadata.uid = stored?.metadata.uid
            resource.metadata.createdAt = stored?.metadata.createdAt
            resource.metadata.updatedAt = time
            if resource.metadata.managedBy == nil { resource.metadata.managedBy = stored?.metadata.managedBy }
            resource.status = stored?.status ?? ResourceStatus()
            return resource
        case .delete:
            return nil
        }
    }
}

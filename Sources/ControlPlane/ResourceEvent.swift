import Foundation
import NovaCore

/// Something that happened to a resource, in the order the store committed it.
public struct ResourceEvent: Sendable, Hashable {
    public enum EventType: String, Sendable { case created, updated, deleted, statusChanged = "status" }

    /// Position in the event stream; strictly increasing.
    public var sequence: Int64
    /// The sequence of the first event of the committed batch this event belongs to: events of
    /// one batch share it, so a reader of the log can rebuild the batches.
    public var batch: Int64
    public var type: EventType
    public var kind: String
    public var name: String
    public var resourceVersion: Int
    public var actor: String
    /// Why the writer made the change, when it said (a sync's revision, a remediation's finding).
    public var reason: String?
    public var time: Date
    /// The resource after the event (for a delete, as it was).
    public var document: Value?

    public init(
        sequence: Int64, batch: Int64? = nil, type: EventType, kind: String, name: String, resourceVersion: Int, actor: String,
        reason: String? = nil, time: Date, document: Value?
    ) {
        self.sequence = sequence
        self.batch = batch ?? sequence
        self.type = type
        self.kind = kind
        self.name = name
        self.resourceVersion = resourceVersion
        self.actor = actor
        self.reason = reason
        self.time = time
        self.document = document
    }

    /// The resource version before the change (nil: it did not exist).
    public var oldVersion: Int? {
        switch type {
        case .created: nil
        case .updated: resourceVersion - 1
        case .deleted, .statusChanged: resourceVersion
        }
    }

    /// The resource version after the change (nil: it no longer exists).
    public var newVersion: Int? { type == .deleted ? nil : resourceVersion }

    public var value: Value {
        var fields: [Value: Value] = [
            "sequence": .int(Int(sequence)), "type": .string(type.rawValue), "kind": .string(kind), "name": .string(name),
            "resourceVersion": .int(resourceVersion), "actor": .string(actor), "time": .string(Timestamp.format(time)),
            "resource": document ?? .null,
        ]
        if batch != sequence { fields["batch"] = .int(Int(batch)) }
        if let reason { fields["reason"] = .string(reason) }
        return .object(fields)
    }
}

/// Who commits a batch, why and when: what the store records with each event.
public struct CommitContext: Sendable {
    public var actor: String
    public var reason: String?
    public var time: Date

    public init(actor: String, reason: String? = nil, time: Date) {
        self.actor = actor
        self.reason = reason
        self.time = time
    }
}

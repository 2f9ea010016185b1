import Foundation
import NovaCore

/// Something that happened to a resource, in the order the store committed it.
public struct ResourceEvent: Sendable, Hashable {
    public enum EventType: String, Sendable { case created, updated, deleted, statusChanged = "status" }

    /// Position in the event stream; strictly increasing.
    public var sequence: Int64
    public var type: EventType
    public var kind: String
    public var name: String
    public var resourceVersion: Int
    public var actor: String
    public var time: Date
    /// The resource after the event (for a delete, as it was).
    public var document: Value?

    public init(sequence: Int64, type: EventType, kind: String, name: String, resourceVersion: Int, actor: String, time: Date, document: Value?) {
        self.sequence = sequence
        self.type = type
        self.kind = kind
        self.name = name
        self.resourceVersion = resourceVersion
        self.actor = actor
        self.time = time
        self.document = document
    }

    public var value: Value {
        ["sequence": .int(Int(sequence)), "type": .string(type.rawValue), "kind": .string(kind), "name": .string(name),
         "resourceVersion": .int(resourceVersion), "actor": .string(actor), "time": .string(Timestamp.format(time)),
         "resource": document ?? .null]
    }
}

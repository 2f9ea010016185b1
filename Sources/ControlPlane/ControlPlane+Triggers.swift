import NovaCore
import Workflow

/// Committed resource events as schedule triggers: `{sequence, type, kind, name, phase, actor}`,
/// with `type` one of created, updated, deleted, status.
extension ControlPlane: TriggerSource {
    public func triggerEvents() -> any AsyncSequence<Value, Never> & Sendable {
        events.subscribe().map { event -> Value in
            [
                "sequence": .int(Int(event.sequence)), "type": .string(event.type.rawValue), "kind": .string(event.kind),
                "name": .string(event.name), "actor": .string(event.actor), "phase": event.document?["status"]?["phase"] ?? .null,
            ]
        }
    }
}

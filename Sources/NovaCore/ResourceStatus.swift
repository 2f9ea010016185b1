import Foundation

/// The observed state of a resource, written only by the reconciler.
public struct ResourceStatus: Sendable, Hashable {
    public var phase: Phase
    public var message: String?
    /// The host a VM was placed on.
    public var host: String?
    /// What the infrastructure reports, in the spec's shape, for drift detection to compare.
    public var observed: Value
    public var conditions: [Condition]
    /// The `resourceVersion` the reconciler last applied to the infrastructure.
    public var observedVersion: Int
    public var updatedAt: Date?

    public init(
        phase: Phase = .pending, message: String? = nil, host: String? = nil, observed: Value = .emptyObject,
        conditions: [Condition] = [], observedVersion: Int = 0, updatedAt: Date? = nil
    ) {
        self.phase = phase
        self.message = message
        self.host = host
        self.observed = observed
        self.conditions = conditions
        self.observedVersion = observedVersion
        self.updatedAt = updatedAt
    }

    public var value: Value {
        var fields = [Value: Value](minimumCapacity: 7)
        fields["phase"] = .string(phase.rawValue)
        fields["observedVersion"] = .int(observedVersion)
        if let message { fields["message"] = .string(message) }
        if let host { fields["host"] = .string(host) }
        if observed != .emptyObject { fields["observed"] = observed }
        if !conditions.isEmpty { fields["conditions"] = .array(conditions.map(\.value)) }
        if let updatedAt { fields["updatedAt"] = .string(Timestamp.format(updatedAt)) }
        return .object(fields)
    }

    public init(value: Value) {
        phase = Phase(rawValue: value["phase"]?.stringValue ?? Phase.pending.rawValue)
        message = value["message"]?.stringValue
        host = value["host"]?.stringValue
        observed = value["observed"] ?? .emptyObject
        conditions = value["conditions"]?.arrayValue?.compactMap(Condition.init(value:)) ?? []
        observedVersion = value["observedVersion"]?.intValue ?? 0
        updatedAt = value["updatedAt"]?.stringValue.flatMap(Timestamp.parse)
    }

    /// Sets a condition, keeping its transition time when its status did not change.
    public mutating func setCondition(_ type: ConditionType, _ status: Condition.Status, reason: String, message: String, at time: Date) {
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let old = conditions[index]
            conditions[index] = Condition(
                type: type, status: status, reason: reason, message: message,
                lastTransitionTime: old.status == status ? old.lastTransitionTime : time)
        } else {
            conditions.append(Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: time))
            conditions.sort { $0.type < $1.type }
        }
    }

    public func condition(_ type: ConditionType) -> Condition? { conditions.first { $0.type == type } }
}

/// One aspect of a resource's state, as in Kubernetes: `Ready`, `Scheduled`, `ReconcileError`…
public struct Condition: Sendable, Hashable {
    public enum Status: String, Sendable { case `true` = "True", `false` = "False", unknown = "Unknown" }

    public var type: ConditionType
    public var status: Status
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date

    public init(type: ConditionType, status: Status, reason: String, message: String, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    var value: Value {
        [
            "type": .string(type.rawValue), "status": .string(status.rawValue), "reason": .string(reason), "message": .string(message),
            "lastTransitionTime": .string(Timestamp.format(lastTransitionTime)),
        ]
    }

    init?(value: Value) {
        guard let type = value["type"]?.stringValue, let status = value["status"]?.stringValue.flatMap(Status.init(rawValue:)) else { return nil }
        self.type = ConditionType(rawValue: type)
        self.status = status
        reason = value["reason"]?.stringValue ?? ""
        message = value["message"]?.stringValue ?? ""
        lastTransitionTime = value["lastTransitionTime"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0)
    }
}

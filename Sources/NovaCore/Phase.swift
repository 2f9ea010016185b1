/// Where a resource is in its life, as the reconciler and the drivers report it. A typed value,
/// not an enum: a driver may report a phase of its own, which is kept as written.
public struct Phase: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    /// Written, not yet (or not any more) on the infrastructure.
    public static let pending: Phase = "pending"
    /// Being created or started.
    public static let provisioning: Phase = "provisioning"
    /// A VM that runs.
    public static let running: Phase = "running"
    /// A VM that is shut off.
    public static let stopped: Phase = "stopped"
    /// Crashed, unschedulable or lost with its host.
    public static let failed: Phase = "failed"
    /// A network or template that can be used.
    public static let ready: Phase = "ready"
    /// A volume not attached to any VM.
    public static let available: Phase = "available"
    /// A volume attached to a VM.
    public static let attached: Phase = "attached"

    /// The phases in which a resource is serving as asked (its `Ready` condition is true).
    public var isReady: Bool { [.running, .ready, .available, .attached].contains(self) }

    public var description: String { rawValue }
    public static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
}

/// The kind of a `Condition`, as in Kubernetes: one aspect of a resource's state.
public struct ConditionType: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    /// Serving as asked.
    public static let ready: ConditionType = "Ready"
    /// A VM has a host.
    public static let scheduled: ConditionType = "Scheduled"
    /// The last attempt to converge failed (with the driver's reason); retried with backoff.
    public static let reconcileError: ConditionType = "ReconcileError"
    /// Whether the driver could be reached on the last look.
    public static let infrastructureReachable: ConditionType = "InfrastructureReachable"
    /// A VM that failed and was restarted: why it failed.
    public static let lastFailure: ConditionType = "LastFailure"

    public var description: String { rawValue }
    public static func < (a: ConditionType, b: ConditionType) -> Bool { a.rawValue < b.rawValue }
}

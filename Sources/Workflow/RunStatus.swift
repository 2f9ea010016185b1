import NovaCore

/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running
    /// A step failed past its retries; completed steps are being undone.
    case compensating
    case succeeded
    /// Failed, and nothing needed undoing.
    case failed
    case cancelled
    /// Failed, and every compensation ran.
    case compensated
    /// Failed, and at least one compensation failed too: someone must look.
    case compensationFailed = "compensation_failed"

    public var isTerminal: Bool {
        switch self {
        case .running, .compensating: false
        default: true
        }
    }
}

/// Where one task is.
public enum TaskPhase: Sendable, Hashable {
    case ready
    case running
    case backingOff(until: Double)
    case awaitingApproval(until: Double?)
    case sleeping(until: Double)
    case succeeded(output: Value)
    case failed(StepError)

    public var name: String {
        switch self {
        case .ready: "ready"
        case .running: "running"
        case .backingOff: "backing_off"
        case .awaitingApproval: "awaiting_approval"
        case .sleeping: "sleeping"
        case .succeeded: "succeeded"
        case .failed(let error): error == .cancelled ? "cancelled" : "failed"
        }
    }

    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed: true
        default: false
        }
    }
}

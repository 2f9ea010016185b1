import NovaCore

/// One attempt of a task for the engine to run.
public struct TaskRequest: Sendable, Hashable {
    public var run: String
    public var key: TaskKey
    public var action: String
    public var input: Value
    public var attempt: Int
    public var timeout: Double?
    public var heartbeatTimeout: Double?

    /// The same for every attempt of this task, so an action can make repeating itself harmless.
    public var idempotencyKey: String { "\(run)/\(key)" }
}

/// What the run's state machine asks the engine to do after an event.
public enum RunAction: Sendable, Hashable {
    case execute(TaskRequest)
    /// Deliver `.timerFired(key)` at this time (seconds since 1970).
    case startTimer(TaskKey, at: Double)
    /// Stop these attempts; their results no longer matter.
    case cancel([TaskKey])
    /// The run ended.
    case finish(RunStatus)
}

import NovaCore

/// Something a step can do. Other modules register their own (the control plane registers
/// `resource.apply` and `resource.delete`).
///
/// An action may be run more than once for the same step (a retry, or a resume after a crash),
/// so it should use `context.idempotencyKey` to make a repeat harmless where it has side effects.
public protocol WorkflowAction: Sendable {
    /// The name steps use in `action:`.
    var name: String { get }
    /// Whether an attempt may take long enough that cancellation, timeouts and heartbeats should
    /// be watched while it runs. Quick actions skip the watcher.
    var isLongRunning: Bool { get }
    func run(_ input: Value, context: ActionContext) async throws -> Value
}

extension WorkflowAction {
    public var isLongRunning: Bool { true }
}

/// What an attempt knows about itself.
public struct ActionContext: Sendable {
    public let run: String
    public let workflow: String
    public let task: TaskKey
    public let attempt: Int
    /// The principal that started the run; actions that write resources act as this name.
    public let startedBy: String
    let heartbeatSink: @Sendable () -> Void

    public init(run: String, workflow: String, task: TaskKey, attempt: Int, startedBy: String, heartbeat: @escaping @Sendable () -> Void = {}) {
        self.run = run
        self.workflow = workflow
        self.task = task
        self.attempt = attempt
        self.startedBy = startedBy
        heartbeatSink = heartbeat
    }

    /// The same for every attempt of this task.
    public var idempotencyKey: String { "\(run)/\(task)" }

    /// Tells the engine the attempt is alive (see `heartbeatTimeout`).
    public func heartbeat() { heartbeatSink() }
}

import NovaCore

/// What happened to a run: the inputs of its state machine, kept in order as its history.
/// Replaying the history rebuilds the run exactly, which is how a run survives a crash.
public enum RunEvent: Sendable, Hashable {
    /// `priorities` are the step order the run was started with (see `StepOptimizer`), kept so a
    /// replay dispatches in the same order; `sla` is a schedule's SLA for this run, if it set one.
    case started(inputs: Value, priorities: [Double]? = nil, sla: Double? = nil)
    case taskSucceeded(TaskKey, attempt: Int, output: Value)
    case taskFailed(TaskKey, attempt: Int, error: StepError)
    /// A backoff, sleep or approval timeout ended.
    case timerFired(TaskKey)
    case approvalDecided(TaskKey, approved: Bool, by: String, comment: String)
    case signalled(name: String, payload: Value, by: String)
    case cancelRequested(by: String, reason: String)
    case deadlineExceeded
    /// Most of the SLA has passed and the run has not ended (recorded; changes nothing).
    case slaAtRisk
    /// The SLA passed and the run has not ended (recorded; changes nothing).
    case slaBreached
    /// The engine picked the run up again after a restart.
    case resumed

    public var typeName: String {
        switch self {
        case .started: "started"
        case .taskSucceeded: "task_succeeded"
        case .taskFailed: "task_failed"
        case .timerFired: "timer_fired"
        case .approvalDecided: "approval_decided"
        case .signalled: "signalled"
        case .cancelRequested: "cancel_requested"
        case .deadlineExceeded: "deadline_exceeded"
        case .slaAtRisk: "sla_at_risk"
        case .slaBreached: "sla_breached"
        case .resumed: "resumed"
        }
    }

    /// The task the event is about, if any.
    public var task: TaskKey? {
        switch self {
        case .taskSucceeded(let key, _, _), .taskFailed(let key, _, _), .timerFired(let key), .approvalDecided(let key, _, _, _): key
        default: nil
        }
    }

    /// The stored and API form.
    public var value: Value {
        var fields: [String: Value] = ["type": .string(typeName)]
        if let task { fields["task"] = .string(task.description) }
        switch self {
        case .started(let inputs, let priorities, let sla):
            fields["inputs"] = inputs
            if let priorities { fields["priorities"] = .array(priorities.map { .double($0) }) }
            if let sla { fields["sla"] = .double(sla) }
        case .taskSucceeded(_, let attempt, let output): fields["attempt"] = .int(attempt); fields["output"] = output
        case .taskFailed(_, let attempt, let error): fields["attempt"] = .int(attempt); fields["error"] = error.value
        case .approvalDecided(_, let approved, let by, let comment):
            fields["approved"] = .bool(approved); fields["by"] = .string(by); fields["comment"] = .string(comment)
        case .signalled(let name, let payload, let by): fields["name"] = .string(name); fields["payload"] = payload; fields["by"] = .string(by)
        case .cancelRequested(let by, let reason): fields["by"] = .string(by); fields["reason"] = .string(reason)
        case .timerFired, .deadlineExceeded, .slaAtRisk, .slaBreached, .resumed: break
        }
        return .object(fields)
    }

    /// Reads the stored form back.
    public init(value: Value) throws(NovaError) {
        func fail() -> NovaError { NovaError(.storage, "a stored workflow event could not be read: \(value.canonicalJSON)") }
        func key() throws(NovaError) -> TaskKey {
            guard let text = value["task"]?.stringValue, let key = TaskKey(text) else { throw fail() }
            return key
        }
        let attempt = value["attempt"]?.intValue ?? 1
        switch value["type"]?.stringValue {
        case "started":
            self = .started(
                inputs: value["inputs"] ?? .emptyObject, priorities: value["priorities"]?.arrayValue?.compactMap(\.doubleValue),
                sla: value["sla"]?.doubleValue)
        case "task_succeeded": self = .taskSucceeded(try key(), attempt: attempt, output: value["output"] ?? .null)
        case "task_failed":
            let error = value["error"]
            self = .taskFailed(
                try key(), attempt: attempt,
                error: StepError(
                    code: error?["code"]?.stringValue ?? "action_failed", message: error?["message"]?.stringValue ?? "",
                    isRetryable: error?["retryable"]?.boolValue ?? true))
        case "timer_fired": self = .timerFired(try key())
        case "approval_decided":
            self = .approvalDecided(
                try key(), approved: value["approved"]?.boolValue ?? false, by: value["by"]?.stringValue ?? "",
                comment: value["comment"]?.stringValue ?? "")
        case "signalled":
            self = .signalled(name: value["name"]?.stringValue ?? "", payload: value["payload"] ?? .null, by: value["by"]?.stringValue ?? "")
        case "cancel_requested": self = .cancelRequested(by: value["by"]?.stringValue ?? "", reason: value["reason"]?.stringValue ?? "")
        case "deadline_exceeded": self = .deadlineExceeded
        case "sla_at_risk": self = .slaAtRisk
        case "sla_breached": self = .slaBreached
        case "resumed": self = .resumed
        default: throw fail()
        }
    }
}

import NovaCore

/// The logic of one run, without I/O: events in, actions out.
///
/// The engine feeds it the run's events (from live work, or replayed from history after a crash)
/// and performs the actions it returns. Everything it decides depends only on the definition,
/// the run's id and seed, and the events with their times, so a replay rebuilds the same state.
public struct RunStateMachine: Sendable {
    enum StepPhase: Sendable, Hashable { case waiting, active, succeeded, failed, skipped }

    struct TaskRun: Sendable, Hashable {
        var input: Value
        var attempt: Int
        var phase: TaskPhase
        /// The `forEach` element this task works on.
        var item: Value?
    }

    struct StepRun: Sendable, Hashable {
        var phase: StepPhase = .waiting
        var remainingDependencies: Int
        var tasks: [TaskRun] = []
        var isFanOut = false
        var output: Value = .null
    }

    public let definition: WorkflowDefinition
    public let runID: String
    let seed: UInt64
    public internal(set) var status: RunStatus = .running
    public internal(set) var inputs: Value = .emptyObject
    public internal(set) var output: Value = .null
    /// Why the run failed: the step and its error.
    public internal(set) var failure: (step: String, error: StepError)?
    public internal(set) var compensationFailures: [TaskKey: StepError] = [:]
    public internal(set) var startedAt: Double = 0
    var steps: [StepRun]
    var signals: [String: Value] = [:]
    let stepIndex: [String: Int]
    let dependents: [[Int]]
    /// The step names each step's templates read, so a task's scope holds only those.
    let readsSteps: [Set<String>]
    let priorities: [Double]
    /// Whether priorities differ at all; when they do not, the ready queue is plain FIFO.
    let isOrdered: Bool
    var ready: [TaskKey] = []
    var readyHead = 0
    var running = 0
    var completionOrder: [TaskKey] = []
    var compensations: [TaskKey] = []
    var compensationTasks: [TaskKey: TaskRun] = [:]
    var nextCompensation = 0
    var finishedSteps = 0

    /// A machine for a new run. `priorities` (one per step, higher first) order ready tasks when
    /// the concurrency limit is reached; equal priorities mean first ready, first run.
    public init(definition: WorkflowDefinition, runID: String, seed: UInt64, priorities: [Double]? = nil) {
        self.definition = definition
        self.runID = runID
        self.seed = seed
        var index: [String: Int] = [:]
        for (i, step) in definition.steps.enumerated() { index[step.name] = i }
        stepIndex = index
        var dependents = Array(repeating: [Int](), count: definition.steps.count)
        for (i, step) in definition.steps.enumerated() {
            for dependency in step.dependsOn { if let j = index[dependency] { dependents[j].append(i) } }
        }
        self.dependents = dependents
        steps = definition.steps.map { StepRun(remainingDependencies: $0.dependsOn.count) }
        readsSteps = definition.steps.map { step in
            var names: Set<String> = []
            var references = Template.references(in: step.inputs, at: "").references
            references += Template.references(in: step.compensate?.inputs ?? .null, at: "").references
            references += step.when?.references ?? []
            if let forEach = step.forEach { references.append(forEach) }
            for reference in references { if let name = reference.stepName { names.insert(name) } }
            return names
        }
        let priorities = priorities ?? Array(repeating: 0, count: definition.steps.count)
        self.priorities = priorities
        isOrdered = priorities.contains { $0 != priorities.first }
    }

    // MARK: - Reading the state

    /// The phase of every task started so far, steps in definition order.
    public var taskPhases: [(key: TaskKey, attempt: Int, phase: TaskPhase)] {
        var result: [(TaskKey, Int, TaskPhase)] = []
        for (i, step) in steps.enumerated() {
            for (j, task) in step.tasks.enumerated() { result.append((key(i, j), task.attempt, task.phase)) }
        }
        for key in compensations { if let task = compensationTasks[key] { result.append((key, task.attempt, task.phase)) } }
        return result
    }

    /// Each step's state: waiting, active, succeeded, failed or skipped.
    public var stepStates: [(name: String, state: String)] {
        zip(definition.steps, steps).map { ($0.name, "\($1.phase)") }
    }

    /// The input of a task waiting for approval (its `role` and `message`), if it is waiting.
    public func pendingApproval(_ key: TaskKey) -> Value? {
        guard let task = task(key), case .awaitingApproval = task.phase else { return nil }
        return task.input
    }

    /// A task's attempt and phase.
    public func state(of key: TaskKey) -> (attempt: Int, phase: TaskPhase)? {
        task(key).map { ($0.attempt, $0.phase) }
    }

    /// Tasks waiting for approval.
    public var pendingApprovals: [TaskKey] {
        taskPhases.compactMap { if case .awaitingApproval = $0.phase { $0.key } else { nil } }
    }

    func key(_ step: Int, _ task: Int) -> TaskKey {
        TaskKey(step: definition.steps[step].name, index: steps[step].isFanOut ? task : nil)
    }

    func task(_ key: TaskKey) -> TaskRun? {
        if key.isCompensation { return compensationTasks[key] }
        guard let i = stepIndex[key.step] else { return nil }
        let j = key.index ?? 0
        guard steps[i].tasks.indices.contains(j), steps[i].isFanOut == (key.index != nil) else { return nil }
        return steps[i].tasks[j]
    }

    mutating func update(_ key: TaskKey, _ body: (inout TaskRun) -> Void) {
        if key.isCompensation {
            if var task = compensationTasks[key] { body(&task); compensationTasks[key] = task }
            return
        }
        guard let i = stepIndex[key.step] else { return }
        body(&steps[i].tasks[key.index ?? 0])
    }

    /// The values templates may read: inputs, the named steps' outputs and statuses, signals, run.
    func scope(readingSteps names: Set<String>, item: Value? = nil, index: Int? = nil) -> Value {
        var stepValues: [String: Value] = [:]
        for name in names {
            guard let i = stepIndex[name] else { continue }
            stepValues[name] = ["output": steps[i].output, "status": .string("\(steps[i].phase)")]
        }
        var fields: [String: Value] = [
            "inputs": inputs, "steps": .object(stepValues), "signals": .object(signals),
            "run": ["id": .string(runID), "workflow": .string(definition.name), "version": .int(definition.version)],
        ]
        if let item { fields["item"] = item }
        if let index { fields["index"] = .int(index) }
        return .object(fields)
    }

    // MARK: - Events

    /// Applies one event at `time` (seconds since 1970) and returns what the engine must do.
    /// An event that makes no sense in the current state (an approval for a task that is not
    /// waiting, a result from a superseded attempt) changes nothing; signals from people throw.
    public mutating func apply(_ event: RunEvent, at time: Double) throws(NovaError) -> [RunAction] {
        var actions: [RunAction] = []
        if status.isTerminal {
            switch event {
            case .approvalDecided, .signalled, .cancelRequested: throw NovaError(.conflict, "run \(runID) has already ended (\(status.rawValue))")
            default: return []
            }
        }
        switch event {
        case .started(let given, _, _):
            inputs = given
            startedAt = time
            for i in steps.indices where steps[i].remainingDependencies == 0 { activate(i, at: time, into: &actions) }
        case .taskSucceeded(let key, let attempt, let output):
            guard let task = task(key), task.attempt == attempt, task.phase == .running else { return [] }
            running -= 1
            if key.isCompensation {
                finishCompensation(key, error: nil, at: time, into: &actions)
            } else {
                succeed(key, output: output, at: time, into: &actions)
            }
        case .taskFailed(let key, let attempt, let error):
            guard let task = task(key), task.attempt == attempt, task.phase == .running else { return [] }
            running -= 1
            fail(key, task: task, error: error, at: time, into: &actions)
        case .timerFired(let key):
            timerFired(key, at: time, into: &actions)
        case .approvalDecided(let key, let approved, let by, let comment):
            guard status == .running, let task = task(key), case .awaitingApproval = task.phase else {
                throw NovaError(.conflict, "\(key) is not waiting for approval in run \(runID)")
            }
            if approved {
                succeed(key, output: ["approved": true, "by": .string(by), "comment": .string(comment)], at: time, into: &actions)
            } else {
                let error = StepError(code: "rejected", message: "rejected by \(by)\(comment.isEmpty ? "" : ": \(comment)")", isRetryable: false)
                update(key) { $0.phase = .failed(error) }
                stepFailed(key, error: error)
            }
        case .signalled(let name, let payload, _):
            guard !status.isTerminal else { throw NovaError(.conflict, "run \(runID) has already ended (\(status.rawValue))") }
            signals[name] = payload
        case .cancelRequested:
            guard !status.isTerminal else { throw NovaError(.conflict, "run \(runID) has already ended (\(status.rawValue))") }
            let inFlight = taskPhases.filter { $0.phase == .running }.map(\.key)
            for key in inFlight { update(key) { $0.phase = .failed(.cancelled) } }
            running = 0
            abandonWaitingTasks()
            status = .cancelled
            if !inFlight.isEmpty { actions.append(.cancel(inFlight)) }
            actions.append(.finish(.cancelled))
            return actions
        case .deadlineExceeded:
            guard status == .running else { return [] }
            let inFlight = taskPhases.filter { $0.phase == .running && !$0.key.isCompensation }.map(\.key)
            for key in inFlight { update(key) { $0.phase = .failed(.cancelled) } }
            running -= inFlight.count
            if !inFlight.isEmpty { actions.append(.cancel(inFlight)) }
            failure = (
                definition.name,
                StepError(
                    code: "deadline_exceeded", message: "the run passed its deadline of \(DurationText.format(definition.deadline ?? 0))",
                    isRetryable: false)
            )
            abandonWaitingTasks()
            beginCompensation(at: time, into: &actions)
        case .resumed, .slaAtRisk, .slaBreached:
            break
        }
        if status == .running, failure != nil, running == 0 { beginCompensation(at: time, into: &actions) }
        dispatch(into: &actions)
        return actions
    }

    /// After a replay: what must start again. Attempts that were in flight run again, timers are
    /// set again for their original times.
    public func resumptionActions() -> [RunAction] {
        guard !status.isTerminal else { return [] }
        var actions: [RunAction] = []
        for (key, attempt, phase) in taskPhases {
            switch phase {
            case .running: actions.append(.execute(request(key, attempt: attempt)))
            case .backingOff(let until), .sleeping(let until): actions.append(.startTimer(key, at: until))
            case .awaitingApproval(let until?): actions.append(.startTimer(key, at: until))
            default: break
            }
        }
        return actions
    }

    func request(_ key: TaskKey, attempt: Int) -> TaskRequest {
        let task = task(key)!
        let step = definition.steps[stepIndex[key.step]!]
        let action = key.isCompensation ? step.compensate!.action : step.action
        return TaskRequest(
            run: runID, key: key, action: action, input: task.input, attempt: attempt,
            timeout: step.timeout, heartbeatTimeout: step.heartbeatTimeout)
    }
}

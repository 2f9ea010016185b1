import Foundation
import Logging
import NovaCore
import ServiceLifecycle
import Synchronization

/// The one executor of multi-step work: registers definitions, starts runs, drives them with
/// their state machines, makes every transition durable before acting on it, and picks up
/// unfinished runs when it starts again.
///
/// Run it as a `Service`; runs started before `run()` is called wait for it.
public final class WorkflowEngine: Service, Sendable {
    /// How ready steps are ordered when workers are scarce.
    public enum Ordering: Sendable { case fifo, criticalPath }

    public let store: any WorkflowStore
    public let metrics = WorkflowMetrics()
    let actions: [String: any WorkflowAction]
    let clock: any WallClock
    let ids: any IDGenerator
    let limiter: AsyncSemaphore
    let ordering: Ordering
    /// How long a finished run keeps its event history (its record and checkpoints stay).
    let historyRetention: Double
    /// The most events one run may record; signals beyond it are refused, so no run grows without bound.
    public static let maximumHistory = 100_000
    let logger: Logger
    let seeds = Mutex(SystemRandom())
    let mailboxes = Mutex<[String: RunMailbox]>([:])
    let waiters = Mutex<[String: [CheckedContinuation<RunRecord?, any Error>]]>([:])
    let newRuns: (stream: AsyncStream<LiveRun>, continuation: AsyncStream<LiveRun>.Continuation) = AsyncStream.makeStream()

    /// - Parameters:
    ///   - actions: the actions steps may use besides `approval` and `sleep`; defaults to the
    ///     built-in `noop`, `command`, `http.request` and `notify`.
    ///   - globalConcurrency: attempts running at once across every run.
    public init(
        store: any WorkflowStore, actions: [any WorkflowAction] = WorkflowEngine.builtInActions, clock: any WallClock = SystemClock(),
        ids: any IDGenerator = UUIDGenerator(), globalConcurrency: Int = 256, ordering: Ordering = .criticalPath,
        historyRetention: Double = 7 * 86400, logger: Logger = Logger(label: "novacron.workflow")
    ) {
        self.historyRetention = historyRetention
        self.store = store
        var byName: [String: any WorkflowAction] = [:]
        for action in actions { byName[action.name] = action }
        self.actions = byName
        self.clock = clock
        self.ids = ids
        limiter = AsyncSemaphore(permits: globalConcurrency)
        self.ordering = ordering
        self.logger = logger
    }

    public static let builtInActions: [any WorkflowAction] = [NoopAction(), CommandAction(), HTTPRequestAction(), NotifyAction()]

    /// Attempts waiting for the global concurrency limit.
    public var queueDepth: Int { limiter.queueDepth }

    /// Every action name a step may use.
    public var knownActions: Set<String> { Set(actions.keys).union([BuiltInAction.approval, BuiltInAction.sleep]) }

    // MARK: - Definitions

    /// Checks and stores a definition; an identical one keeps its version.
    @discardableResult
    public func register(_ document: Value) async throws -> (definition: WorkflowDefinition, created: Bool) {
        let definition = try WorkflowDefinition(document: document, knownActions: knownActions)
        return try await store.saveDefinition(definition, at: clock.now)
    }

    public func definition(named name: String, version: Int? = nil) async throws -> WorkflowDefinition {
        guard let definition = try await store.definition(named: name, version: version) else {
            throw NovaError(.notFound, "workflow \(name)\(version.map { " version \($0)" } ?? "") not found")
        }
        return definition
    }

    // MARK: - Runs

    /// Starts a run of the latest (or given) version; returns once the start is durable. A given
    /// `runID` that already exists is `already_exists` (schedules use this to fire a slot once).
    /// `sla` holds this run to an SLA other than its workflow's (a schedule's).
    public func start(
        _ workflow: String, version: Int? = nil, inputs: Value = .emptyObject, by actor: String = "system",
        runID: String? = nil, sla: Double? = nil
    ) async throws -> RunRecord {
        let definition = try await definition(named: workflow, version: version)
        let runInputs = try definition.runInputs(inputs)
        let priorities: [Double]? =
            switch ordering {
            case .fifo: nil
            case .criticalPath:
                definition.concurrency == nil ? nil : StepOptimizer.priorities(for: definition, durations: try await store.stepDurations(workflow: workflow))
            }
        let id = runID ?? ids.makeID()
        if runID != nil, try await store.run(id: id) != nil { throw NovaError(.alreadyExists, "run \(id) already exists") }
        let seed = seeds.withLock { $0.next() }
        let now = clock.now
        var machine = RunStateMachine(definition: definition, runID: id, seed: seed, priorities: priorities)
        let started = RunEvent.started(inputs: runInputs, priorities: priorities, sla: sla)
        let actions = try machine.apply(started, at: now.timeIntervalSince1970)
        let record = RunRecord(
            id: id, workflow: definition.name, version: definition.version, status: machine.status, inputs: runInputs,
            seed: seed, startedBy: actor, createdAt: now, updatedAt: now)
        var run = LiveRun(record: record, machine: machine, nextSequence: 2, initialActions: actions)
        if let sla { run.sla = sla }
        // Registered before the commit, so a resume that reads the new row sees it is already live.
        mailboxes.withLock { $0[id] = run.mailbox }
        do {
            try await store.commit([RunCommit(run: record, history: [RunHistoryEntry(sequence: 1, time: now, event: started)])])
        } catch {
            mailboxes.withLock { _ = $0.removeValue(forKey: id) }
            throw error
        }
        metrics.update {
            $0.runsStarted += 1; $0.runsActive += 1
        }
        newRuns.continuation.yield(run)
        return record
    }

    /// Waits until the run ends and returns its final record. A run that is not live here (not
    /// resumed yet, or driven by another process) is watched in the store.
    public func waitForEnd(of id: String) async throws -> RunRecord {
        while true {
            guard let record = try await store.run(id: id) else { throw NovaError(.notFound, "run \(id) not found") }
            if record.status.isTerminal { return record }
            let ended: RunRecord? = try await withCheckedThrowingContinuation { continuation in
                let isLive = mailboxes.withLock { boxes in
                    guard boxes[id] != nil else { return false }
                    waiters.withLock { $0[id, default: []].append(continuation) }
                    return true
                }
                if !isLive { continuation.resume(returning: nil) }
            }
            if let ended { return ended }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Cancels a run: attempts in flight are stopped, nothing more starts.
    public func cancel(_ id: String, by actor: String, reason: String = "") async throws {
        try await send(id) { .event(.cancelRequested(by: actor, reason: reason), reply: $0) }
    }

    /// Records a named signal; later steps read it as `${signals.NAME}`.
    public func signal(_ id: String, name: String, payload: Value, by actor: String) async throws {
        try await send(id) { .event(.signalled(name: name, payload: payload, by: actor), reply: $0) }
    }

    /// Approves or rejects a task waiting for approval. The approval's `role` input, if any, must
    /// be among `roles` (or `roles` must hold `admin`).
    public func decide(_ id: String, task: TaskKey, approve: Bool, by actor: String, roles: Set<String>, comment: String = "") async throws {
        try await send(id) { .decide(task, approved: approve, by: actor, roles: roles, comment: comment, reply: $0) }
    }

    private func send(_ id: String, _ make: (CheckedContinuation<Void, any Error>) -> DriverInput) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            guard let mailbox = mailboxes.withLock({ $0[id] }) else {
                continuation.resume(throwing: NovaError(.conflict, "run \(id) is not running"))
                return
            }
            if !mailbox.post(make(continuation)) {
                continuation.resume(throwing: NovaError(.conflict, "run \(id) is not running"))
            }
        }
    }

    /// The run's record with its steps: live state while it runs, checkpoints after.
    public func describe(_ id: String) async throws -> Value {
        if let mailbox = mailboxes.withLock({ $0[id] }) {
            let snapshot: Value? = await withCheckedContinuation { continuation in
                if !mailbox.post(.inspect(reply: continuation)) { continuation.resume(returning: nil) }
            }
            if let snapshot { return snapshot }
        }
        guard let record = try await store.run(id: id) else { throw NovaError(.notFound, "run \(id) not found") }
        let checkpoints = try await store.checkpoints(run: id)
        return ["run": record.value, "tasks": .array(checkpoints.map(\.value)), "live": false]
    }

    // MARK: - Service

    /// Resumes unfinished runs, then drives new ones until shutdown. Runs still going at shutdown
    /// stay `running` in the store and resume at the next start.
    public func run() async throws {
        let resumed = try await resumeUnfinishedRuns()
        if !resumed.isEmpty { logger.info("resumed \(resumed.count) unfinished workflow run(s)") }
        await withDiscardingTaskGroup { group in
            for run in resumed { group.addTask { await self.drive(run) } }
            group.addTask { await self.compactHistories() }
            for await run in newRuns.stream.cancelOnGracefulShutdown() {
                group.addTask { await self.drive(run) }
            }
            group.cancelAll()
        }
    }

    /// Every hour, drops the histories of runs that ended longer ago than the retention.
    private func compactHistories() async {
        while !Task.isCancelled {
            do {
                let compacted = try await store.compactHistory(ofRunsEndedBefore: clock.now.addingTimeInterval(-historyRetention))
                if compacted > 0 { logger.info("compacted the history of \(compacted) finished workflow run(s)") }
            } catch {
                logger.error("workflow history compaction failed: \(error)")
            }
            do { try await Task.sleep(for: .seconds(3600)) } catch { return }
        }
    }
}

import Foundation
import NovaCore

/// One run as the store keeps it.
public struct RunRecord: Sendable, Hashable {
    public var id: String
    public var workflow: String
    public var version: Int
    public var status: RunStatus
    public var inputs: Value
    public var output: Value
    /// The failure and any failed compensations, when the run did not succeed.
    public var error: Value
    /// Seeds the run's jitter, so a replay draws the same delays.
    public var seed: UInt64
    public var startedBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, workflow: String, version: Int, status: RunStatus = .running, inputs: Value, output: Value = .null,
        error: Value = .null, seed: UInt64, startedBy: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workflow = workflow
        self.version = version
        self.status = status
        self.inputs = inputs
        self.output = output
        self.error = error
        self.seed = seed
        self.startedBy = startedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var value: Value {
        [
            "id": .string(id), "workflow": .string(workflow), "version": .int(version), "status": .string(status.rawValue),
            "inputs": inputs, "output": output, "error": error, "startedBy": .string(startedBy),
            "createdAt": .string(Timestamp.format(createdAt)), "updatedAt": .string(Timestamp.format(updatedAt)),
        ]
    }
}

/// One finished attempt of a task: the checkpoint that keeps a completed step from running again.
public struct StepCheckpoint: Sendable, Hashable {
    public var run: String
    public var task: TaskKey
    public var attempt: Int
    public var succeeded: Bool
    public var output: Value
    public var error: StepError?
    public var startedAt: Date
    public var finishedAt: Date

    public init(run: String, task: TaskKey, attempt: Int, succeeded: Bool, output: Value, error: StepError?, startedAt: Date, finishedAt: Date) {
        self.run = run
        self.task = task
        self.attempt = attempt
        self.succeeded = succeeded
        self.output = output
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public var value: Value {
        [
            "task": .string(task.description), "attempt": .int(attempt), "status": .string(succeeded ? "succeeded" : "failed"),
            "output": output, "error": error?.value ?? .null, "startedAt": .string(Timestamp.format(startedAt)),
            "finishedAt": .string(Timestamp.format(finishedAt)),
            "durationMs": .double(((finishedAt.timeIntervalSince(startedAt)) * 1e6).rounded() / 1e3),
        ]
    }
}

/// One event of a run's history, numbered from 1.
public struct RunHistoryEntry: Sendable, Hashable {
    public var sequence: Int
    public var time: Date
    public var event: RunEvent

    public init(sequence: Int, time: Date, event: RunEvent) {
        self.sequence = sequence
        self.time = time
        self.event = event
    }

    public var value: Value {
        var fields = event.value.objectValue ?? [:]
        fields["sequence"] = .int(sequence)
        fields["time"] = .string(Timestamp.format(time))
        return .object(fields)
    }
}

/// What one transition of a run writes, all or nothing: the run's row, new history entries, and
/// checkpoints for the attempts that finished.
public struct RunCommit: Sendable {
    public var run: RunRecord
    public var history: [RunHistoryEntry]
    public var checkpoints: [StepCheckpoint]

    public init(run: RunRecord, history: [RunHistoryEntry], checkpoints: [StepCheckpoint] = []) {
        self.run = run
        self.history = history
        self.checkpoints = checkpoints
    }
}

/// Where definitions, runs, checkpoints and histories live. `InMemoryWorkflowStore` for tests;
/// `Persistence.SQLiteStore` for the server (group commit: many runs' transitions per transaction).
public protocol WorkflowStore: Sendable {
    /// Saves a definition as a new version unless it is identical to the latest; returns the
    /// stored definition and whether a version was created.
    func saveDefinition(_ definition: WorkflowDefinition, at time: Date) async throws -> (definition: WorkflowDefinition, created: Bool)
    /// The given version, or the latest.
    func definition(named name: String, version: Int?) async throws -> WorkflowDefinition?
    /// The latest version of every workflow, by name.
    func definitions() async throws -> [WorkflowDefinition]
    /// Writes one or more transitions durably before returning.
    func commit(_ commits: [RunCommit]) async throws
    func run(id: String) async throws -> RunRecord?
    /// Runs, newest first.
    func runs(workflow: String?, status: RunStatus?, limit: Int) async throws -> [RunRecord]
    func history(run: String) async throws -> [RunHistoryEntry]
    func checkpoints(run: String) async throws -> [StepCheckpoint]
    /// Runs that had not ended when the process stopped.
    func unfinishedRuns() async throws -> [RunRecord]
    /// Mean seconds per attempt of each step of a workflow over its recent succeeded attempts.
    func stepDurations(workflow: String) async throws -> [String: Double]
    /// Drops the event history of runs that ended before `date` (their record and checkpoints
    /// stay); returns how many runs were compacted.
    func compactHistory(ofRunsEndedBefore date: Date) async throws -> Int
}

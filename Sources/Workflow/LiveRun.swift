import Foundation
import NovaCore
import Synchronization

/// What a run's driver receives: results of its attempts, timers, and requests from people.
enum DriverInput: Sendable {
    case attemptFinished(TaskKey, attempt: Int, result: Result<Value, StepError>, startedAt: Date)
    case event(RunEvent, reply: CheckedContinuation<Void, any Error>?)
    case decide(TaskKey, approved: Bool, by: String, roles: Set<String>, comment: String, reply: CheckedContinuation<Void, any Error>)
    case inspect(reply: CheckedContinuation<Value, Never>)
}

/// Attempts the machine has asked to stop; the watcher of a long-running attempt checks it.
final class CancelledTasks: Sendable {
    private let keys = Mutex<Set<TaskKey>>([])
    func cancel(_ cancelled: [TaskKey]) { keys.withLock { $0.formUnion(cancelled) } }
    func contains(_ key: TaskKey) -> Bool { keys.withLock { $0.contains(key) } }
}

/// A run the engine is driving: its state machine, its record, and its mailbox.
struct LiveRun: Sendable {
    var record: RunRecord
    var machine: RunStateMachine
    var nextSequence: Int
    var initialActions: [RunAction]
    /// The SLA this run is held to: its schedule's, else its workflow's.
    var sla: Double?
    let mailbox = RunMailbox()
    let cancelled = CancelledTasks()

    init(record: RunRecord, machine: RunStateMachine, nextSequence: Int, initialActions: [RunAction]) {
        self.record = record
        self.machine = machine
        self.nextSequence = nextSequence
        self.initialActions = initialActions
        sla = machine.definition.sla
    }

    /// The run's failure and failed compensations, as the record keeps them.
    var errorValue: Value {
        guard let failure = machine.failure else { return .null }
        var fields: [String: Value] = ["step": .string(failure.step), "code": .string(failure.error.code), "message": .string(failure.error.message)]
        if !machine.compensationFailures.isEmpty {
            fields["compensationFailures"] = .array(
                machine.compensationFailures.sorted { $0.key < $1.key }.map { key, error in
                    ["task": .string(key.description), "code": .string(error.code), "message": .string(error.message)]
                })
        }
        return .object(fields)
    }

    /// The run's live state for the API.
    var snapshot: Value {
        let tasks: [Value] = machine.taskPhases.map { key, attempt, phase in
            var fields: [String: Value] = ["task": .string(key.description), "attempt": .int(attempt), "state": .string(phase.name)]
            switch phase {
            case .succeeded(let output): fields["output"] = output
            case .failed(let error): fields["error"] = error.value
            case .backingOff(let until), .sleeping(let until): fields["until"] = .string(Timestamp.format(Date(timeIntervalSince1970: until)))
            case .awaitingApproval(let until):
                if let until { fields["until"] = .string(Timestamp.format(Date(timeIntervalSince1970: until))) }
                if let input = machine.pendingApproval(key) { fields["approval"] = input }
            default: break
            }
            return .object(fields)
        }
        return [
            "run": record.value, "steps": .array(machine.stepStates.map { ["name": .string($0.name), "state": .string($0.state)] }),
            "tasks": .array(tasks), "live": true,
        ]
    }
}

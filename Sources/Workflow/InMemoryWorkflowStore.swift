import Foundation
import NovaCore
import Synchronization

/// Keeps everything in memory: for tests and the in-memory benchmark.
public final class InMemoryWorkflowStore: WorkflowStore {
    private struct State {
        var definitions: [String: [WorkflowDefinition]] = [:]
        var runs: [String: RunRecord] = [:]
        var order: [String] = []
        var history: [String: [RunHistoryEntry]] = [:]
        var checkpoints: [String: [TaskKey: StepCheckpoint]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func saveDefinition(_ definition: WorkflowDefinition, at time: Date) async throws -> (definition: WorkflowDefinition, created: Bool) {
        state.withLock { state in
            var versions = state.definitions[definition.name, default: []]
            if let latest = versions.last, latest.source == definition.source { return (latest, false) }
            var saved = definition
            saved.version = (versions.last?.version ?? 0) + 1
            versions.append(saved)
            state.definitions[definition.name] = versions
            return (saved, true)
        }
    }

    public func definition(named name: String, version: Int?) async throws -> WorkflowDefinition? {
        state.withLock { state in
            let versions = state.definitions[name] ?? []
            return version.map { v in versions.first { $0.version == v } } ?? versions.last
        }
    }

    public func definitions() async throws -> [WorkflowDefinition] {
        state.withLock { state in state.definitions.keys.sorted().compactMap { state.definitions[$0]?.last } }
    }

    public func commit(_ commits: [RunCommit]) async throws {
        state.withLock { state in
            for commit in commits {
                if state.runs[commit.run.id] == nil { state.order.append(commit.run.id) }
                state.runs[commit.run.id] = commit.run
                state.history[commit.run.id, default: []] += commit.history
                for checkpoint in commit.checkpoints { state.checkpoints[commit.run.id, default: [:]][checkpoint.task] = checkpoint }
            }
        }
    }

    public func run(id: String) async throws -> RunRecord? { state.withLock { $0.runs[id] } }

    public func runs(workflow: String?, status: RunStatus?, limit: Int) async throws -> [RunRecord] {
        state.withLock { state in
            let runs = state.runs
            return Array(
                state.order.reversed().lazy.compactMap { runs[$0] }
                    .filter { (workflow == nil || $0.workflow == workflow) && (status == nil || $0.status == status) }.prefix(limit))
        }
    }

    public func history(run: String) async throws -> [RunHistoryEntry] { state.withLock { $0.history[run] ?? [] } }

    public func checkpoints(run: String) async throws -> [StepCheckpoint] {
        state.withLock { ($0.checkpoints[run] ?? [:]).values.sorted { $0.finishedAt < $1.finishedAt } }
    }

    public func unfinishedRuns() async throws -> [RunRecord] {
        state.withLock { state in state.order.compactMap { state.runs[$0] }.filter { !$0.status.isTerminal } }
    }

    public func stepDurations(workflow: String) async throws -> [String: Double] {
        state.withLock { state in
            var totals: [String: (Double, Int)] = [:]
            for id in state.order.suffix(100) where state.runs[id]?.workflow == workflow {
                for checkpoint in (state.checkpoints[id] ?? [:]).values where checkpoint.succeeded && !checkpoint.task.isCompensation {
                    let current = totals[checkpoint.task.step] ?? (0, 0)
                    totals[checkpoint.task.step] = (current.0 + checkpoint.finishedAt.timeIntervalSince(checkpoint.startedAt), current.1 + 1)
                }
            }
            return totals.mapValues { $0.0 / Double($0.1) }
        }
    }

    public func compactHistory(ofRunsEndedBefore date: Date) async throws -> Int {
        state.withLock { state in
            var compacted = 0
            for (id, run) in state.runs where run.status.isTerminal && run.updatedAt < date && !(state.history[id] ?? []).isEmpty {
                state.history[id] = []
                compacted += 1
            }
            return compacted
        }
    }
}

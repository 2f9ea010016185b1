import Foundation
import NovaCore
import Synchronization

extension WorkflowEngine {
    /// Whether an attempt may run inside its run's driver instead of in a task of its own: a
    /// quick action with no timeout, alone in its transition. A chain of quick steps then costs
    /// no thread hand-off per step (measured with `novacron bench workflow`: the hand-off was most
    /// of W1's time in memory).
    func runsInline(_ request: TaskRequest) -> Bool {
        guard let action = actions[request.action] else { return true }
        return !action.isLongRunning && request.timeout == nil && request.heartbeatTimeout == nil
    }

    /// Runs one attempt under the global limit; the result, or nil when cancelled first.
    func attempt(_ request: TaskRequest, startedBy: String, workflow: String, cancelled: CancelledTasks) async -> DriverInput? {
        guard let action = actions[request.action] else {
            return .attemptFinished(
                request.key, attempt: request.attempt,
                result: .failure(StepError(code: "unknown_action", message: "no action named \(request.action) is registered", isRetryable: false)),
                startedAt: clock.now)
        }
        guard await limiter.acquire() else { return nil }
        defer { limiter.release() }
        let startedAt = clock.now
        let lastBeat = Heartbeat()
        let context = ActionContext(run: request.run, workflow: workflow, task: request.key, attempt: request.attempt, startedBy: startedBy) {
            lastBeat.beat()
        }
        let result: Result<Value, StepError>
        if action.isLongRunning || request.timeout != nil || request.heartbeatTimeout != nil {
            result = await watched(action, request, context: context, lastBeat: lastBeat, cancelled: cancelled)
        } else {
            do { result = .success(try await action.run(request.input, context: context)) } catch { result = .failure(StepError(error)) }
        }
        if Task.isCancelled { return nil }
        return .attemptFinished(request.key, attempt: request.attempt, result: result, startedAt: startedAt)
    }

    /// Races the action against its timeout, its heartbeat timeout and cancellation by the run.
    private func watched(
        _ action: any WorkflowAction, _ request: TaskRequest, context: ActionContext, lastBeat: Heartbeat,
        cancelled: CancelledTasks
    ) async -> Result<Value, StepError> {
        await withTaskGroup(of: Result<Value, StepError>?.self) { group in
            group.addTask {
                do { return .success(try await action.run(request.input, context: context)) } catch { return .failure(StepError(error)) }
            }
            group.addTask {
                let start = ContinuousClock.now
                let tick = max(0.002, min(0.05, (request.timeout ?? 1) / 4, (request.heartbeatTimeout ?? 1) / 4))
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(tick)) } catch { return nil }
                    if cancelled.contains(request.key) { return .failure(.cancelled) }
                    let now = ContinuousClock.now
                    if let timeout = request.timeout, now - start >= .seconds(timeout) { return .failure(.timeout(after: timeout)) }
                    if let limit = request.heartbeatTimeout, now - lastBeat.last >= .seconds(limit) {
                        return .failure(.heartbeatTimeout(after: limit))
                    }
                }
                return nil
            }
            var outcome: Result<Value, StepError>?
            while outcome == nil, let next = await group.next() {
                outcome = next
                group.cancelAll()
            }
            return outcome ?? .failure(.cancelled)
        }
    }
}

/// When an attempt last said it was alive.
final class Heartbeat: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    func beat() { instant.withLock { $0 = ContinuousClock.now } }
    var last: ContinuousClock.Instant { instant.withLock { $0 } }
}

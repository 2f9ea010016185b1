import Synchronization

/// Limits how many attempts run at once across all runs. Waiters are served first come, first
/// served; a waiter whose task is cancelled leaves the queue.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(permits: Int) { state = Mutex(State(permits: permits)) }

    /// Attempts waiting for a permit.
    var queueDepth: Int { state.withLock { $0.waiters.count } }

    /// Waits for a permit; false when the task was cancelled while waiting (no permit is held).
    func acquire() async -> Bool {
        let fast = state.withLock { state -> Bool in
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }
        if fast { return true }
        let id = state.withLock { state -> Int in
            state.nextID += 1; return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.permits > 0 { state.permits -= 1; return true }
                    state.waiters.append((id, continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiters.isEmpty { state.permits += 1; return nil }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}

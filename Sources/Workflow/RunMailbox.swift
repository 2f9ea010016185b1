import Synchronization

/// A run driver's inbox. Unlike an `AsyncStream`, closing it hands back whatever was still queued,
/// so every request that carries a reply (an approval, an inspection) gets an answer even when it
/// arrives just as the run ends.
final class RunMailbox: Sendable {
    private struct State {
        var queue: [DriverInput] = []
        var head = 0
        var waiter: CheckedContinuation<DriverInput?, Never>?
        var isClosed = false
    }

    private let state = Mutex(State())

    /// Queues `input`; false when the mailbox is closed (the run is no longer driven here).
    @discardableResult
    func post(_ input: DriverInput) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<DriverInput?, Never>?? in
            guard !state.isClosed else { return .none }
            if let waiter = state.waiter {
                state.waiter = nil
                return .some(waiter)
            }
            state.queue.append(input)
            return .some(nil)
        }
        switch waiter {
        case .none: return false
        case .some(let continuation?): continuation.resume(returning: input)
        case .some(nil): break
        }
        return true
    }

    /// The next input, or nil when the mailbox is closed or the task is cancelled.
    func next() async -> DriverInput? {
        if Task.isCancelled { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DriverInput?, Never>) in
                let ready = state.withLock { state -> DriverInput?? in
                    if state.head < state.queue.count {
                        let input = state.queue[state.head]
                        state.head += 1
                        if state.head > 64, state.head * 2 > state.queue.count {
                            state.queue.removeFirst(state.head)
                            state.head = 0
                        }
                        return .some(input)
                    }
                    if state.isClosed || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if case .some(let input) = ready { continuation.resume(returning: input) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<DriverInput?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Closes the mailbox and returns what was still queued.
    func close() -> [DriverInput] {
        let (leftover, waiter) = state.withLock { state -> ([DriverInput], CheckedContinuation<DriverInput?, Never>?) in
            state.isClosed = true
            let leftover = Array(state.queue[state.head...])
            state.queue = []
            state.head = 0
            defer { state.waiter = nil }
            return (leftover, state.waiter)
        }
        waiter?.resume(returning: nil)
        return leftover
    }
}

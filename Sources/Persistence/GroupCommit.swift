import Synchronization

/// Group commit: writers that arrive while a transaction is being written wait, and the next
/// transaction writes all of them at once. The first writer to find no transaction in progress
/// leads: it writes its own work plus everyone queued, wakes them, and keeps going while more
/// arrive. No task is spawned; the leader is one of the callers.
final class GroupCommit<Item: Sendable>: Sendable {
    private struct State {
        var isWriting = false
        var queued: [(item: Item, waiter: CheckedContinuation<Bool, any Error>)] = []
    }

    private let state = Mutex(State())
    private let write: @Sendable ([Item]) async throws -> Void

    /// `write` commits a batch in one transaction.
    init(write: @escaping @Sendable ([Item]) async throws -> Void) { self.write = write }

    /// Returns once `item` is committed (in this caller's transaction or a leader's).
    func commit(_ item: Item) async throws {
        // true: this caller leads; false: a leader committed the item.
        let leads = try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Bool, any Error>) in
            let leads = state.withLock { state -> Bool in
                if state.isWriting {
                    state.queued.append((item, waiter))
                    return false
                }
                state.isWriting = true
                return true
            }
            if leads { waiter.resume(returning: true) }
        }
        guard leads else { return }
        var own: Item? = item
        var ownError: (any Error)?
        while true {
            let hasOwn = own != nil
            let queued = state.withLock { state -> [(item: Item, waiter: CheckedContinuation<Bool, any Error>)]? in
                let batch = state.queued
                state.queued = []
                if batch.isEmpty, !hasOwn {
                    state.isWriting = false
                    return nil
                }
                return batch
            }
            guard let queued else { break }
            var items = queued.map(\.item)
            if let own { items.insert(own, at: 0) }
            do {
                try await write(items)
                for entry in queued { entry.waiter.resume(returning: false) }
            } catch {
                if own != nil { ownError = error }
                for entry in queued { entry.waiter.resume(throwing: error) }
            }
            own = nil
        }
        if let ownError { throw ownError }
    }
}

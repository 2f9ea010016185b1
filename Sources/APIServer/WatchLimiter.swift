import NovaCore
import Synchronization

/// Bounds event watches: how many stream at once, in all and per principal, and how far back
/// one may start (found: 200 watchers from sequence 0 re-read the whole history together and
/// stalled the server for 52 s). A client further behind pages with `GET /v1/events` first.
final class WatchLimiter: Sendable {
    static let total = 256
    static let perPrincipal = 16
    static let maximumBacklog = 1_000

    private let open = Mutex<(total: Int, byPrincipal: [String: Int])>((0, [:]))

    /// Takes a slot for `principal`, or throws `too_many_requests`.
    func acquire(_ principal: String) throws(NovaError) {
        let admitted = open.withLock { state in
            let mine = state.byPrincipal[principal, default: 0]
            guard state.total < Self.total, mine < Self.perPrincipal else { return false }
            state.total += 1
            state.byPrincipal[principal] = mine + 1
            return true
        }
        if !admitted {
            throw NovaError(.tooManyRequests, "too many event watches open (at most \(Self.perPrincipal) per key and \(Self.total) in all); close one first")
        }
    }

    func release(_ principal: String) {
        open.withLock { state in
            state.total -= 1
            let left = state.byPrincipal[principal, default: 1] - 1
            state.byPrincipal[principal] = left > 0 ? left : nil
        }
    }
}

import NovaCore

/// Bounds event watches: how many stream at once, in all and per principal, and how far back
/// one may start (found: 200 watchers from sequence 0 re-read the whole history together and
/// stalled the server for 52 s). A client further behind pages with `GET /v1/events` first.
final class WatchLimiter: Sendable {
    static let total = 256
    static let perPrincipal = 16
    static let maximumBacklog = 1_000

    private let slots = KeyedSlots(total: total, perKey: perPrincipal)

    /// Takes a slot for `principal`, or throws `too_many_requests`.
    func acquire(_ principal: String) throws(NovaError) {
        guard slots.take(principal) else {
            throw NovaError(.tooManyRequests, "too many event watches open (at most \(Self.perPrincipal) per key and \(Self.total) in all); close one first")
        }
    }

    func release(_ principal: String) { slots.give(principal) }
}

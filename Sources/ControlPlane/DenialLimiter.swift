import Synchronization

/// Bounds what refusals cost: each principal's denials are audited up to `limit` per `window`;
/// past that they are answered 429 and counted instead of written, and the next audited denial
/// says how many were left out. A key probing what it may do cannot fill the audit log.
final class DenialLimiter: Sendable {
    enum Verdict: Equatable {
        /// Audit it; `suppressed` denials of the principal's previous window went unwritten.
        case audit(suppressed: Int)
        case throttle
    }

    let limit: Int
    let window: Duration
    private let windows = Mutex<[String: (start: ContinuousClock.Instant, count: Int, suppressed: Int)]>([:])

    init(limit: Int = 30, window: Duration = .seconds(10)) {
        self.limit = limit
        self.window = window
    }

    func record(_ principal: String, now: ContinuousClock.Instant = .now) -> Verdict {
        windows.withLock { all in
            if all.count > 10_000 { all = all.filter { now - $0.value.start < window } }
            var entry = all[principal] ?? (now, 0, 0)
            var carried = 0
            if now - entry.start >= window {
                carried = entry.suppressed
                entry = (now, 0, 0)
            }
            entry.count += 1
            let verdict: Verdict
            if entry.count > limit {
                entry.suppressed += 1
                verdict = .throttle
            } else {
                verdict = .audit(suppressed: carried)
            }
            all[principal] = entry
            return verdict
        }
    }
}

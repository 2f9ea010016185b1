import NovaCore

/// When and how often a failed step is tried again: exponential backoff with jitter, as Temporal's
/// retry policy describes it.
///
/// The delay before attempt `n + 1` is `min(maxInterval, initialInterval × backoffCoefficient^(n-1))`,
/// then scaled by a factor drawn uniformly from `[1 - jitter, 1 + jitter]`.
public struct RetryPolicy: Sendable, Hashable, Codable {
    public var initialInterval: Double
    public var backoffCoefficient: Double
    public var maxInterval: Double
    /// Attempts in all, the first included; 1 means never retry.
    public var maxAttempts: Int
    /// Fraction of the delay that is random, in [0, 1].
    public var jitter: Double
    /// Error codes that end the step at once.
    public var nonRetryable: [String]

    public init(
        initialInterval: Double = 1, backoffCoefficient: Double = 2, maxInterval: Double? = nil, maxAttempts: Int = 3,
        jitter: Double = 0.2, nonRetryable: [String] = []
    ) {
        self.initialInterval = initialInterval
        self.backoffCoefficient = backoffCoefficient
        self.maxInterval = maxInterval ?? initialInterval * 100
        self.maxAttempts = maxAttempts
        self.jitter = jitter
        self.nonRetryable = nonRetryable
    }

    public static let standard = RetryPolicy()
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The delay before the next attempt, without jitter, after `attempt` attempts failed.
    public func baseDelay(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(attempt - 1, 0))
        return min(maxInterval, initialInterval * pow(backoffCoefficient, exponent))
    }

    /// The delay with jitter; `unit` is a uniform draw in [0, 1).
    public func delay(afterAttempt attempt: Int, unit: Double) -> Double {
        max(0, baseDelay(afterAttempt: attempt) * (1 - jitter + 2 * jitter * unit))
    }

    /// Whether `error`, met on attempt `attempt`, allows another attempt.
    public func allowsRetry(of error: StepError, afterAttempt attempt: Int) -> Bool {
        error.isRetryable && !nonRetryable.contains(error.code) && attempt < maxAttempts
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 { result *= base; remaining -= 1 }
    return result
}

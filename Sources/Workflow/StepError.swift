import NovaCore

/// Why a step attempt failed: a stable code, a message, and whether another attempt can help.
///
/// Actions throw these (or any error, which becomes `action_failed`, retryable); the retry policy's
/// `nonRetryable` codes stop retries at once whatever the flag says.
public struct StepError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var isRetryable: Bool

    public init(code: String, message: String, isRetryable: Bool = true) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String { "\(code): \(message)" }

    public var value: Value {
        ["code": .string(code), "message": .string(message), "retryable": .bool(isRetryable)]
    }

    public static func timeout(after seconds: Double) -> StepError {
        StepError(code: "timeout", message: "the attempt did not finish within \(DurationText.format(seconds))")
    }

    public static func heartbeatTimeout(after seconds: Double) -> StepError {
        StepError(code: "heartbeat_timeout", message: "no heartbeat for \(DurationText.format(seconds))")
    }

    public static let cancelled = StepError(code: "cancelled", message: "the run was cancelled", isRetryable: false)

    /// Any error as a step error: `NovaError` keeps its code and retryability.
    public init(_ error: any Error) {
        switch error {
        case let error as StepError: self = error
        case let error as NovaError: self.init(code: error.code.rawValue, message: error.message, isRetryable: error.isRetryable)
        case is CancellationError: self = .cancelled
        default: self.init(code: "action_failed", message: "\(error)")
        }
    }
}

/// A stable error code. Each maps to one HTTP status in the API and one meaning everywhere.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let invalidJSON = ErrorCode(rawValue: "invalid_json")
    public static let invalidYAML = ErrorCode(rawValue: "invalid_yaml")
    public static let invalidRequest = ErrorCode(rawValue: "invalid_request")
    public static let validationFailed = ErrorCode(rawValue: "validation_failed")
    public static let unauthenticated = ErrorCode(rawValue: "unauthenticated")
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    public static let admissionDenied = ErrorCode(rawValue: "admission_denied")
    public static let notFound = ErrorCode(rawValue: "not_found")
    public static let alreadyExists = ErrorCode(rawValue: "already_exists")
    public static let conflict = ErrorCode(rawValue: "conflict")
    /// The resource belongs to another manager (`metadata.managedBy`); force the write to take it over.
    public static let managedElsewhere = ErrorCode(rawValue: "managed_elsewhere")
    public static let unsupported = ErrorCode(rawValue: "unsupported")
    public static let infrastructure = ErrorCode(rawValue: "infrastructure_error")
    public static let unschedulable = ErrorCode(rawValue: "unschedulable")
    public static let storage = ErrorCode(rawValue: "storage_error")
    public static let payloadTooLarge = ErrorCode(rawValue: "payload_too_large")
    public static let unavailable = ErrorCode(rawValue: "unavailable")
    public static let routeNotFound = ErrorCode(rawValue: "route_not_found")
    public static let methodNotAllowed = ErrorCode(rawValue: "method_not_allowed")
    public static let tooManyRequests = ErrorCode(rawValue: "too_many_requests")
    /// A watch asked to start further back than the server replays (page through the events first).
    public static let watchTooOld = ErrorCode(rawValue: "watch_too_old")
    public static let `internal` = ErrorCode(rawValue: "internal_error")
}

/// NovaCron's error value: a stable code, a message for people, the diagnostics behind it and
/// whether trying again can help. Messages never carry secrets.
public struct NovaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var diagnostics: [Diagnostic]
    public var isRetryable: Bool

    public init(_ code: ErrorCode, _ message: String, diagnostics: [Diagnostic] = [], isRetryable: Bool = false) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
        self.isRetryable = isRetryable
    }

    public var description: String {
        guard !diagnostics.isEmpty else { return message }
        return ([message] + diagnostics.map { "  - \($0)" }).joined(separator: "\n")
    }

    /// A validation failure listing every problem found.
    public static func validation(_ diagnostics: [Diagnostic], subject: String) -> NovaError {
        let count = diagnostics.count
        return NovaError(.validationFailed, "\(subject) is invalid (\(count) problem\(count == 1 ? "" : "s"))", diagnostics: diagnostics)
    }
}

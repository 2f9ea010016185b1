/// One problem found in an input: what, where (a field path or a source position) and how bad.
///
/// Validation collects every diagnostic it finds rather than stopping at the first.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning, info

        private var rank: Int { self == .error ? 2 : (self == .warning ? 1 : 0) }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable, machine-readable code such as `required_field` or `yaml_parse_error`.
    public var code: String
    public var message: String
    public var severity: Severity
    /// A field path such as `spec.networks[1].network`, when the problem is in a document.
    public var path: String?
    /// A source position, when the problem is in a text.
    public var location: SourceLocation?

    public init(code: String, message: String, severity: Severity = .error, path: String? = nil, location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.severity = severity
        self.path = path
        self.location = location
    }

    /// `where: message`, as a person reads it.
    public var description: String {
        var prefix = ""
        if let location { prefix += "\(location): " }
        if let path { prefix += "\(path): " }
        return prefix + message
    }

    /// The diagnostic as a `Value`, the shape the API sends in error details.
    public var value: Value {
        var fields: [String: Value] = ["code": .string(code), "message": .string(message), "severity": .string(severity.rawValue)]
        if let path { fields["path"] = .string(path) }
        if let location {
            var loc: [String: Value] = ["line": .int(location.line), "column": .int(location.column)]
            if let file = location.file { loc["file"] = .string(file) }
            fields["location"] = .object(loc)
        }
        return .object(fields)
    }
}

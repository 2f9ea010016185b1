/// A Rego error as OPA reports one: a stable code, a message, and where.
///
/// `description` is `file:line:col: code: message`, followed by the offending line and a caret
/// under the column when the source is known.
public struct RegoError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let parse = Code(rawValue: "rego_parse_error")
        public static let compile = Code(rawValue: "rego_compile_error")
        public static let unsafeVariable = Code(rawValue: "rego_unsafe_var_error")
        public static let recursion = Code(rawValue: "rego_recursion_error")
        public static let type = Code(rawValue: "rego_type_error")
        public static let conflict = Code(rawValue: "eval_conflict_error")
        public static let evalType = Code(rawValue: "eval_type_error")
        public static let builtin = Code(rawValue: "eval_builtin_error")
        public static let cancelled = Code(rawValue: "eval_cancel_error")
        /// An evaluation went past its memory or step budget (`PreparedQuery.Limits`): never
        /// made undefined like other built-in errors, so a budget cannot be dodged.
        public static let budget = Code(rawValue: "eval_budget_error")
    }

    public var code: Code
    public var message: String
    public var span: SourceSpan?
    /// The source line the error points into, for the caret display.
    public var sourceLine: String?

    public init(_ code: Code, _ message: String, at span: SourceSpan? = nil, sourceLine: String? = nil) {
        self.code = code
        self.message = message
        self.span = span
        self.sourceLine = sourceLine
    }

    public var description: String {
        var text = (span.map { "\($0): " } ?? "") + "\(code): \(message)"
        if let sourceLine, let span {
            text += "\n\t\(sourceLine)\n\t" + String(repeating: " ", count: max(0, span.column - 1)) + "^"
        }
        return text
    }
}

import NovaCore

/// A rule: `default`, its head (a ref, optional arguments, key and value), its body, and `else`.
public struct Rule: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `p := v`, `p if …`: one value.
        case complete
        /// `p contains x if …` (v0: `p[x] { … }`): a set built from every body that holds.
        case partialSet
        /// `p[k] := v if …`: an object built from every body that holds.
        case partialObject
        /// `f(x) := y if …`.
        case function
    }

    /// `else := value if { … }`.
    public struct ElseClause: Sendable, Hashable {
        public var value: Term?
        public var body: Body
        public var span: SourceSpan
    }

    public var kind: Kind
    public var isDefault: Bool
    /// The rule's path within its package: `p`, or `a.b[c]` for ref heads (without the key of a
    /// partial object rule).
    public var ref: Term
    public var arguments: [Term]
    public var key: Term?
    /// The value, or nil for `true`.
    public var value: Term?
    /// Whether the head used `:=` (only one definition allowed) rather than `=`.
    public var isAssignment: Bool
    /// The bodies: one in v1, several for v0's chained `{ … } { … }`; empty means always.
    public var bodies: [Body]
    public var elses: [ElseClause]
    /// The rule's `# METADATA` block (title, description, custom, …), as YAML read it.
    public var annotations: Value?
    public var span: SourceSpan
}

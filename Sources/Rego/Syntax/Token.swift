/// One lexical token of Rego source.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case identifier(String)
        case number(String)
        case string(String)
        /// `$"…"` or `` $`…` ``: the raw text between the quotes, interpolations unparsed.
        case template(String, isRaw: Bool)
        case symbol(String)
        case end
    }

    var kind: Kind
    var span: SourceSpan
    /// Whether a line break separates this token from the one before (it ends a body literal).
    var followsNewline: Bool

    var text: String {
        switch kind {
        case .identifier(let s), .number(let s), .string(let s), .symbol(let s): s
        case .template(let s, _): "$\"\(s)\""
        case .end: "end of file"
        }
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
    func isKeyword(_ s: String) -> Bool { kind == .identifier(s) }
}

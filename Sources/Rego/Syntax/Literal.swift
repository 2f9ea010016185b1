/// One line of a body: an expression, `not`, `some`, or `every`, with its `with` modifiers.
public struct Literal: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case expression(Term)
        case not(Term)
        /// `some x, y` declares variables; `some k, v in xs` iterates.
        case some([Term], in: Term?)
        case every(key: Term?, value: Term, domain: Term, body: Body)
    }

    /// `with input.user as "alice"`: replaces a document or function while the literal runs.
    public struct With: Sendable, Hashable {
        public var target: Term
        public var value: Term
    }

    public var kind: Kind
    public var with: [With]
    public var span: SourceSpan
}

/// A Rego term or expression: scalars, variables, references, composites, comprehensions,
/// calls and operators all share one node type, as they do in OPA's AST.
public struct Term: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case assign = ":=", unify = "=", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case plus = "+", minus = "-", times = "*", divide = "/", remainder = "%", union = "|", intersection = "&"
    }

    /// One step of a reference after its head: `.name` or `[term]`.
    public enum RefStep: Sendable, Hashable {
        case field(String)
        case index(Term)
    }

    /// A piece of a template string: text, or an interpolated expression.
    public enum TemplatePart: Sendable, Hashable {
        case text(String)
        case expression(Term)
    }

    public indirect enum Kind: Sendable, Hashable {
        case null
        case boolean(Bool)
        /// The number as written (exact integers and decimals are both kept precisely).
        case number(String)
        case string(String)
        case variable(String)
        case ref(head: Term, path: [RefStep])
        case array([Term])
        case object([(key: Term, value: Term)])
        case set([Term])
        case arrayComprehension(Term, Body)
        case setComprehension(Term, Body)
        case objectComprehension(key: Term, value: Term, Body)
        case call(function: Term, arguments: [Term])
        case binary(Operator, Term, Term)
        /// `x in xs`, `k, v in xs`.
        case membership(key: Term?, value: Term, collection: Term)
        case negative(Term)
        case template([TemplatePart])
        /// A call's function after compilation: a built-in or a policy function by full path.
        case resolved(CallTarget)
        /// A document of `data` the compiler located: a rule, a package or a path leading to
        /// rules (`p` in package `a` is `data.a.p`).
        case data([String])

        public static func == (lhs: Kind, rhs: Kind) -> Bool { String(describing: lhs) == String(describing: rhs) }
        public func hash(into hasher: inout Hasher) { hasher.combine(String(describing: self)) }
    }

    /// What a call was resolved to by the compiler.
    public enum CallTarget: Sendable, Hashable {
        case builtin(String)
        case function(String)
    }

    public var kind: Kind
    public var span: SourceSpan

    public init(_ kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// The variable's name, when the term is a plain variable.
    public var variableName: String? { if case .variable(let name) = kind { name } else { nil } }
}

/// A rule or comprehension body: literals that must all hold.
public typealias Body = [Literal]

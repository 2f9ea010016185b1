import Foundation
import NovaCore

/// A query compiled once against a policy, evaluated many times (each evaluation has its own
/// state, so one prepared query can be shared across tasks).
public struct PreparedQuery: Sendable {
    /// One solution: the query's variables, and the value of each of its expressions (as
    /// `opa eval` reports them: `true` for unifications, `not`, `some` and `every`).
    public struct Solution: Sendable {
        public var bindings: [String: Value]
        public var expressions: [Value]
    }

    /// What bounds one evaluation: a deadline, and the calling task's cancellation (checked as
    /// evaluation goes, so a runaway policy stops with `eval_cancel_error`).
    public struct Limits: Sendable {
        public var deadline: ContinuousClock.Instant?
        /// Roughly how many bytes the values built-ins make may take in all, counted as each
        /// result is made (and before, by the built-ins that would allocate by an argument).
        public var memoryBytes: Int
        /// How many evaluation steps (terms and literals tried) the evaluation may take.
        public var steps: Int

        /// 256 MiB and a billion steps: far beyond any real policy, and still a bound.
        public static let defaultMemoryBytes = 256 << 20
        public static let defaultSteps = 1_000_000_000

        public init(deadline: ContinuousClock.Instant? = nil, memoryBytes: Int = Limits.defaultMemoryBytes, steps: Int = Limits.defaultSteps) {
            self.deadline = deadline
            self.memoryBytes = memoryBytes
            self.steps = steps
        }
        public static func timeout(_ duration: Duration) -> Limits { Limits(deadline: .now + duration) }
    }

    public let policy: CompiledPolicy
    let body: Body
    /// The query's own variables, in order of appearance: what each result binds.
    public let variables: [String]
    /// Per query literal: the source text, its position, and the variable holding its value
    /// (nil when the literal's value is just `true`).
    public let expressionTexts: [(text: String, line: Int, column: Int)]
    let expressionVariables: [String?]

    public init(_ query: String, policy: CompiledPolicy, version: Module.Version = .v1) throws(RegoError) {
        self.policy = policy
        let parsed = try Parser.parseQuery(query, version: version)
        let scratch = Evaluation(policy: policy, input: nil)
        var seen: [String] = []
        for literal in parsed {
            switch literal.kind {
            case .expression(let t), .not(let t): seen += scratch.variables(in: t)
            case .some(let terms, let c): seen += terms.flatMap(scratch.variables) + (c.map(scratch.variables) ?? [])
            case .every: break
            }
        }
        var unique: [String] = []
        for name in seen where name != "_" && !name.hasPrefix("__") && !unique.contains(name) { unique.append(name) }
        variables = unique
        // Each plain expression `e` becomes `__exprN__ = e` and `__exprN__ != false`, so its
        // value can be reported.
        var rewritten: Body = []
        var expressionVariables: [String?] = []
        var texts: [(String, Int, Int)] = []
        let utf8 = Array(query.utf8)
        for (i, literal) in parsed.enumerated() {
            let span = literal.span
            let end = min(utf8.count, max(span.start, span.end))
            texts.append((String(decoding: utf8[min(span.start, end)..<end], as: UTF8.self), span.line, span.column))
            if case .expression(let term) = literal.kind, !Self.isUnification(term) {
                let name = "__expr\(i)__"
                let variable = Term(.variable(name), span: term.span)
                rewritten.append(Literal(kind: .expression(Term(.binary(.unify, variable, term), span: term.span)), with: literal.with, span: span))
                rewritten.append(
                    Literal(
                        kind: .expression(Term(.binary(.notEqual, variable, Term(.boolean(false), span: term.span)), span: term.span)),
                        with: [], span: span))
                expressionVariables.append(name)
            } else {
                rewritten.append(literal)
                expressionVariables.append(nil)
            }
        }
        body = try SafetyPass(scope: policy.queryScope).order(rewritten, bound: [], captured: []).0
        self.expressionVariables = expressionVariables
        expressionTexts = texts
    }

    static func isUnification(_ term: Term) -> Bool {
        if case .binary(let op, _, _) = term.kind { return op == .assign || op == .unify }
        return false
    }

    /// Every solution: the bindings of the query's variables (empty when it has none but holds).
    public func evaluate(input: Value? = nil, strictBuiltinErrors: Bool = false, limits: Limits = Limits()) throws(RegoError) -> [[String: Value]] {
        try solutions(input: input, strictBuiltinErrors: strictBuiltinErrors, limits: limits).map(\.bindings)
    }

    /// Every solution with its expressions' values, as `opa eval` prints them.
    public func solutions(
        input: Value? = nil, strictBuiltinErrors: Bool = false, limits: Limits = Limits(),
        print: (@Sendable (String) -> Void)? = nil
    ) throws(RegoError) -> [Solution] {
        let evaluation = Evaluation(policy: policy, input: input)
        evaluation.strictBuiltinErrors = strictBuiltinErrors
        evaluation.apply(limits)
        if let print { evaluation.printer = print }
        var results: [Solution] = []
        try evaluation.eval(body, Bindings()) { (b: Bindings) throws(RegoError) in
            var row: [String: Value] = [:]
            for name in variables { if let value = b[name] { row[name] = value } }
            results.append(Solution(bindings: row, expressions: expressionVariables.map { name in name.flatMap { b[$0] } ?? .bool(true) }))
        }
        return results
    }
}

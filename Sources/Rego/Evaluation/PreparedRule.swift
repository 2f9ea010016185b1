import NovaCore

/// One document under `data` — a rule such as `data.limits.deny` — compiled once and evaluated
/// many times, without a query around it: the same value `x := data.limits.deny` binds, but no
/// query body, bindings or result rows (a tenth of a small policy's evaluation went to those).
/// Safe to share across tasks, like `PreparedQuery`.
public struct PreparedRule: Sendable {
    public let policy: CompiledPolicy
    /// The path, starting with "data".
    public let path: [String]

    /// - Parameter path: the document's path below `data` (`["limits", "deny"]`); it must lead to
    ///   a rule or to a package, not to a function.
    public init(_ path: [String], policy: CompiledPolicy) throws(RegoError) {
        let full = ["data"] + path
        if let node = policy.nodes[full], node.definitions.first?.rule.kind == .function {
            throw RegoError(.compile, "data.\(path.joined(separator: ".")) is a function, not a document")
        }
        self.policy = policy
        self.path = full
    }

    /// The document's value for this input, or nil when it is undefined.
    public func evaluate(input: Value?, strictBuiltinErrors: Bool = false, limits: PreparedQuery.Limits = .init()) throws(RegoError) -> Value? {
        try value(in: Self.makeEvaluation(policy, input, strictBuiltinErrors, limits))
    }

    /// Several documents of one policy for the same input, in one evaluation (one time, one
    /// deadline): rules they share, and the evaluation's own setup, are paid for once. Each
    /// value is nil when its document is undefined.
    public static func evaluate(
        _ rules: [PreparedRule], input: Value?, strictBuiltinErrors: Bool = false,
        limits: PreparedQuery.Limits = .init()
    ) throws(RegoError) -> [Value?] {
        guard let policy = rules.first?.policy else { return [] }
        precondition(rules.allSatisfy { $0.policy === policy }, "documents evaluated together must come from one policy")
        let evaluation = makeEvaluation(policy, input, strictBuiltinErrors, limits)
        var results: [Value?] = []
        results.reserveCapacity(rules.count)
        for rule in rules { results.append(try rule.value(in: evaluation)) }
        return results
    }

    static func makeEvaluation(_ policy: CompiledPolicy, _ input: Value?, _ strictBuiltinErrors: Bool, _ limits: PreparedQuery.Limits) -> Evaluation {
        let evaluation = Evaluation(policy: policy, input: input)
        evaluation.strictBuiltinErrors = strictBuiltinErrors
        evaluation.apply(limits)
        return evaluation
    }

    func value(in evaluation: Evaluation) throws(RegoError) -> Value? {
        var result: Value?
        try evaluation.walkData(path, [], Bindings()) { (value: Value, _: Bindings) throws(RegoError) in result = value }
        return result
    }
}

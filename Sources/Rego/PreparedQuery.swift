import NovaCore

/// A query compiled once against a policy, evaluated many times (each evaluation has its own
/// state, so one prepared query can be shared across tasks).
public struct PreparedQuery: Sendable {
    public let policy: CompiledPolicy
    let body: Body
    /// The query's own variables, in order of appearance: what each result binds.
    public let variables: [String]

    public init(_ query: String, policy: CompiledPolicy, version: Module.Version = .v1) throws(RegoError) {
        self.policy = policy
        let parsed = try Parser.parseQuery(query, version: version)
        body = try SafetyPass(scope: policy.queryScope).order(parsed, bound: [], captured: []).0
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
    }

    /// Every solution: the bindings of the query's variables (empty when it has none but holds).
    public func evaluate(input: Value? = nil, strictBuiltinErrors: Bool = false) throws(RegoError) -> [[String: Value]] {
        let evaluation = Evaluation(policy: policy, input: input)
        evaluation.strictBuiltinErrors = strictBuiltinErrors
        var results: [[String: Value]] = []
        try evaluation.eval(body, Bindings()) { (b: Bindings) throws(RegoError) in
            var row: [String: Value] = [:]
            for name in variables { if let value = b[name] { row[name] = value } }
            results.append(row)
        }
        return results
    }
}

import NovaCore
import Rego
import Testing

/// A prepared rule gives exactly what `x := data.<path>` binds.
@Suite struct PreparedRuleTests {
    static let module = """
        package p
        import rego.v1
        default allow := false
        allow if input.user == "ann"
        deny contains msg if { some port in input.ports; port < 1024; msg := sprintf("port %d", [port]) }
        deny contains "no owner" if not input.owner
        labels[k] := v if { some k, v in input.labels; k != "secret" }
        warn.size contains "too big" if input.size > 10
        double(x) := x * 2
        """

    static func policy() throws -> CompiledPolicy {
        try CompiledPolicy(modules: [try Parser.parseModule(module, file: "p.rego")], data: ["config": ["level": 3]])
    }

    @Test(arguments: [["allow"], ["deny"], ["labels"], ["warn"], ["warn", "size"], [], ["nothing"], ["config", "level"], ["config"]])
    func matchesTheQuery(path: [String]) throws {
        let policy = try Self.policy()
        let inputs: [Value] = [
            ["user": "ann", "ports": [22, 8080, 443], "labels": ["env": "prod", "secret": "x"], "size": 12],
            ["user": "bob", "owner": "bob", "ports": [8080], "labels": [:], "size": 1],
            .emptyObject,
        ]
        let rule = try PreparedRule(path, policy: policy)
        let query = try PreparedQuery((["x := data"] + path).joined(separator: "."), policy: policy)
        for input in inputs {
            #expect(try rule.evaluate(input: input) == query.evaluate(input: input).first?["x"], "\(path) on \(input.canonicalJSON)")
        }
    }

    /// Documents evaluated together (one evaluation, shared rule values) give what each gives alone.
    @Test func documentsTogetherMatchOneByOne() throws {
        let policy = try Self.policy()
        let rules = try [["p", "deny"], ["p", "warn"], ["p", "labels"], ["p", "nothing"], ["p", "deny"]].map { try PreparedRule($0, policy: policy) }
        let input: Value = ["user": "ann", "ports": [22, 8080], "labels": ["env": "prod"], "size": 12]
        let together = try PreparedRule.evaluate(rules, input: input)
        #expect(together.count == rules.count)
        for (rule, value) in zip(rules, together) { #expect(try rule.evaluate(input: input) == value, "\(rule.path)") }
        #expect(together[0] != nil && together[3] == nil)
        #expect(try PreparedRule.evaluate([], input: input).isEmpty)
    }

    @Test func aFunctionIsNotADocument() throws {
        #expect(throws: RegoError.self) { try PreparedRule(["p", "double"], policy: try Self.policy()) }
    }

    @Test func conflictsAndStrictErrorsSurface() throws {
        let policy = try CompiledPolicy(modules: [
            try Parser.parseModule(
                """
                package q
                x := 1 if input.a
                x := 2 if input.b
                y := to_number(input.text)
                """, file: "q.rego")
        ])
        #expect(throws: RegoError.self) { try PreparedRule(["q", "x"], policy: policy).evaluate(input: ["a": true, "b": true]) }
        #expect(try PreparedRule(["q", "x"], policy: policy).evaluate(input: ["a": true]) == 1)
        #expect(try PreparedRule(["q", "y"], policy: policy).evaluate(input: ["text": "nope"]) == nil)
        #expect(throws: RegoError.self) { try PreparedRule(["q", "y"], policy: policy).evaluate(input: ["text": "nope"], strictBuiltinErrors: true) }
    }
}

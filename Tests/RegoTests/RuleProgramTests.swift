import NovaCore
import Testing

@testable import Rego

/// Rules compiled to programs (`RuleProgram`) must answer what the interpreter answers: the
/// same values, the same errors with the same messages, members in the same order.
@Suite struct RuleProgramTests {
    static let policy = """
        package t

        import rego.v1

        default allow := false

        allow if {
            count(deny) == 0
            some role in data.bindings[input.user]
            some perm in data.roles[role].permissions
            method_ok(perm, input.method)
            glob.match(perm.path, ["/"], input.path)
        }

        method_ok(perm, m) if m in perm.methods

        method_ok(perm, _) if "*" in perm.methods

        deny contains "blocked" if input.user in data.blocked

        deny contains "unknown" if not data.bindings[input.user]

        deny contains msg if {
            some i, x in input.xs
            x > 2
            msg := sprintf("item %d is %v", [i, x])
        }

        items contains x if some x in input.xs

        items contains x if some x in input.more

        pairs contains [k, v] if some k, v in input.obj

        total := sum([x | some x in items])

        first_big := x if {
            some x in items
            x > 1
        } else := -1

        sign(x) := "neg" if x < 0

        sign(x) := "pos" if x > 0

        sign(0) := "zero"

        twice(x) := y if y := x * 2

        clash(x) := 1 if x > 0

        clash(x) := 2 if x > 1

        bad_sum := input.s + 1

        negated := -input.n

        composite := {"a": [input.n, {input.user}], "b": input.missing}

        same if {
            x := input.n
            x = twice(input.half)
        }

        text := upper(input.s)

        numbers contains to_number(x) if some x in input.xs

        loop_a if loop_b

        # Each definition numbers its slots from the argument on: the first leaves -5 where the
        # second keeps its memo of input.n (called from a compiled rule, they share slots).
        shared(x) := 1 if {
            v := -5
            x > v
        }

        shared(_) := 2 if input.n == -5

        shared_one := shared(1)

        # A helper set iterated by programs is kept as sorted members until its value is asked for.
        objs contains o if some o in input.objs

        objs contains o if some o in input.more_objs

        obj_names contains sprintf("%v:%v", [i, o.name]) if some i, o in objs

        obj_count := count(objs) if some _ in objs

        selfish contains x if some x in selfish

        loop_b if loop_a
        """

    static let data: Value = [
        "bindings": ["ann": ["admin", "dev"], "bob": ["dev"]],
        "roles": [
            "admin": ["permissions": [["methods": ["*"], "path": "/admin/**"]]],
            "dev": ["permissions": [["methods": ["GET"], "path": "/api/*"], ["methods": ["PUT", "GET"], "path": "/api/v1/*/x"]]],
        ],
        "blocked": ["eve"],
    ]

    static let inputs: [Value] = [
        [
            "user": "ann", "method": "DELETE", "path": "/admin/a/b", "xs": [1, 2, 3], "more": [3, 4], "obj": ["b": 1, "a": 2], "n": 4, "half": 2, "s": "x",
            "objs": [["name": "b", "n": 1], ["name": "a", "n": 2.0], ["name": "b", "n": 1]], "more_objs": [["n": 2, "name": "a"], ["name": "c"]],
        ],
        ["user": "bob", "method": "PUT", "path": "/api/v1/q/x", "xs": [], "n": -1, "half": 1, "s": "7"],
        ["user": "bob", "method": "POST", "path": "/api/q", "xs": [5, "a"], "obj": [:], "n": 0, "s": 3],
        ["user": "eve", "method": "GET", "path": "/api/x", "xs": "not an array", "more": ["z"]],
        ["user": "zed"],
        [:],
    ]

    static let rules = [
        "allow", "deny", "items", "pairs", "total", "first_big", "bad_sum", "negated", "composite", "same", "text", "numbers", "loop_a",
        "obj_names", "obj_count", "objs", "selfish",
    ]

    static let queries =
        rules.map { "x := data.t.\($0)" } + [
            "x := data.t.sign(input.n)", "x := data.t.twice(input.n)", "x := data.t.shared_one", "x := data.t.clash(input.n)",
            "x := [data.t.sign(n) | some n in [-2, 0, 3]]", "data.t.method_ok({\"methods\": [\"GET\"]}, input.method)",
            // A `with` on data or functions leaves every rule to the interpreter; on input, not.
            "x := data.t.allow with data.bindings.bob as [\"admin\"]", "x := data.t.allow with data.t.method_ok as false",
            "x := data.t.allow with input.user as \"ann\" with input.path as \"/admin/z\" with input.xs as []",
        ]

    /// A query's rows, or its error's code and message.
    static func outcome(_ query: String, _ policy: CompiledPolicy, input: Value, strict: Bool) -> String {
        do {
            let rows = try PreparedQuery(query, policy: policy).evaluate(input: input, strictBuiltinErrors: strict)
            return rows.map { Value.object(Dictionary(uniqueKeysWithValues: $0.map { (Value.string($0.key), $0.value) })).canonicalJSON }.joined(
                separator: "\n")
        } catch {
            return "\(error.code): \(error.message) at \(error.span.map { "\($0)" } ?? "-")"
        }
    }

    static func policies() throws -> (compiled: CompiledPolicy, interpreted: CompiledPolicy) {
        let module = try Parser.parseModule(policy, file: "t.rego")
        return (try CompiledPolicy(modules: [module], data: data), try CompiledPolicy(modules: [module], data: data, compilesRules: false))
    }

    @Test func everyRuleButDefaultsComprehensionsAndConstantParametersCompiles() throws {
        let (compiled, interpreted) = try Self.policies()
        var left: Set<String> = []
        for (path, definitions) in compiled.definitions {
            for definition in definitions where definition.program == nil && !definition.rule.isDefault {
                left.insert(path.joined(separator: "."))
            }
        }
        // `total` has a comprehension; `sign(0)` a constant parameter.
        #expect(left == ["data.t.total", "data.t.sign"])
        #expect(interpreted.definitions.values.joined().allSatisfy { $0.program == nil })
        // Functions whose every definition compiled are called straight from programs.
        let functionPrograms = { (name: String) in compiled.nodes[["data", "t", name]].map { compiled.functionPrograms[$0.index] != nil } }
        #expect(functionPrograms("method_ok") == true)
        #expect(functionPrograms("clash") == true)
        #expect(functionPrograms("sign") == false)
    }

    @Test(arguments: queries)
    func programsAnswerWhatTheInterpreterAnswers(query: String) throws {
        let (compiled, interpreted) = try Self.policies()
        for input in Self.inputs {
            for strict in [false, true] {
                let ours = Self.outcome(query, compiled, input: input, strict: strict)
                let reference = Self.outcome(query, interpreted, input: input, strict: strict)
                #expect(ours == reference, "\(query) on \(input.canonicalJSON), strict \(strict)")
            }
        }
    }

    @Test func programsGiveTheExpectedAnswers() throws {
        let (compiled, _) = try Self.policies()
        let ann = Self.inputs[0], bob = Self.inputs[1]
        #expect(Self.outcome("x := data.t.allow", compiled, input: ann, strict: false) == #"{"x":false}"#)
        #expect(Self.outcome("x := data.t.allow with input.xs as []", compiled, input: ann, strict: false) == #"{"x":true}"#)
        #expect(Self.outcome("x := data.t.allow", compiled, input: bob, strict: false) == #"{"x":true}"#)
        #expect(Self.outcome("x := data.t.allow", compiled, input: Self.inputs[2], strict: false) == #"{"x":false}"#)
        #expect(Self.outcome("x := data.t.deny", compiled, input: ann, strict: false) == #"{"x":["item 2 is 3"]}"#)
        #expect(Self.outcome("x := data.t.pairs", compiled, input: ann, strict: false) == #"{"x":[["a",2],["b",1]]}"#)
        #expect(Self.outcome("x := data.t.first_big", compiled, input: ann, strict: false).hasPrefix("eval_conflict_error"))
        #expect(Self.outcome("x := data.t.first_big", compiled, input: bob, strict: false) == #"{"x":-1}"#)
        #expect(
            Self.outcome("x := data.t.clash(5)", compiled, input: bob, strict: false).hasPrefix(
                "eval_conflict_error: functions must not produce multiple outputs"))
        #expect(Self.outcome("x := data.t.clash(1)", compiled, input: bob, strict: false) == #"{"x":1}"#)
        #expect(Self.outcome("x := data.t.negated", compiled, input: ann, strict: false) == #"{"x":-4}"#)
        #expect(Self.outcome("x := data.t.shared_one", compiled, input: ann, strict: false) == #"{"x":1}"#)
        #expect(
            Self.outcome("x := data.t.obj_names", compiled, input: ann, strict: false)
                == #"{"x":["{\"n\": 1, \"name\": \"b\"}:b","{\"n\": 2, \"name\": \"a\"}:a","{\"name\": \"c\"}:c"]}"#)
        #expect(Self.outcome("x := data.t.obj_count", compiled, input: ann, strict: false) == #"{"x":3}"#)
        #expect(Self.outcome("x := data.t.selfish", compiled, input: ann, strict: false).hasPrefix("rego_recursion_error"))
        #expect(Self.outcome("x := data.t.bad_sum", compiled, input: ann, strict: false).hasPrefix("eval_type_error"))
        #expect(Self.outcome("x := data.t.loop_a", compiled, input: ann, strict: false).hasPrefix("rego_recursion_error"))
        #expect(Self.outcome("x := data.t.numbers", compiled, input: Self.inputs[2], strict: true).hasPrefix("eval_builtin_error: to_number"))
    }

    @Test func aClauseWithAConstantValueStopsAtItsFirstSolution() throws {
        // OPA's early exit: the second member would be a type error, but the first already
        // decided `p`. The interpreter searches on (it has no early exit) and raises it.
        let module = try Parser.parseModule("package e\np if {\n\tsome x in input.xs\n\tx + 1 > 0\n}\n", file: "e.rego")
        let input: Value = ["xs": [1, "a"]]
        let compiled = try CompiledPolicy(modules: [module])
        #expect(Self.outcome("x := data.e.p", compiled, input: input, strict: false) == #"{"x":true}"#)
        let interpreted = try CompiledPolicy(modules: [module], data: .emptyObject, compilesRules: false)
        #expect(Self.outcome("x := data.e.p", interpreted, input: input, strict: false).hasPrefix("eval_type_error"))
    }

    @Test func aFunctionWhoseDefinitionsAllGiveOneConstantStopsAtTheFirstThatHolds() throws {
        // Reading `c` is a conflict. OPA answers true when the definition that holds comes
        // first (the second is never evaluated) and raises the conflict otherwise; so do both
        // tiers here, called from a compiled rule or from the query.
        let rules = "package f\nc := 1 if input.n > 0\nc := 2 if input.n > 0\nq := ok(input.n)\n"
        for (order, expected) in [("ok(x) if x > 0\nok(x) if c == x\n", #"{"x":true}"#), ("ok(x) if c == x\nok(x) if x > 0\n", "eval_conflict_error")] {
            let module = try Parser.parseModule(rules + order, file: "f.rego")
            let compiled = try CompiledPolicy(modules: [module])
            let interpreted = try CompiledPolicy(modules: [module], data: .emptyObject, compilesRules: false)
            #expect(compiled.nodes[["data", "f", "ok"]].flatMap { compiled.functionPrograms[$0.index]?.stopsAtFirstValue } == true)
            for policy in [compiled, interpreted] {
                for query in ["x := data.f.q", "x := data.f.ok(input.n)"] {
                    #expect(Self.outcome(query, policy, input: ["n": 1], strict: false).hasPrefix(expected), "\(query) with \(order)")
                }
            }
        }
    }

}

import NovaCore
import Testing

@testable import Rego

/// Terms with at most one value are computed without continuations (`Evaluation.direct`);
/// these check that the answers, the undefined cases and the errors are the general path's.
@Suite struct DirectEvaluationTests {
    let policy: CompiledPolicy

    init() throws {
        let module = try Parser.parseModule(
            """
            package p
            limits := {"dev": 64, "prod": 128}
            names contains n if some n in input.xs
            double(n) := n * 2
            doubled := double(input.n)
            """, file: "p.rego")
        policy = try CompiledPolicy(modules: [module], data: ["cfg": ["limit": 5]])
    }

    func query(_ q: String, input: Value, strict: Bool = false) throws(RegoError) -> [Value] {
        try PreparedQuery(q, policy: policy).evaluate(input: input, strictBuiltinErrors: strict).compactMap { $0["x"] }
    }

    let input: Value = ["env": "prod", "n": 3, "s": "nope", "xs": ["a", "b"], "m": ["k": ["deep": true]]]

    @Test func computesReferencesCallsAndOperatorsOverInputAndRules() throws {
        #expect(try query("x := data.p.limits[input.env] * input.n", input: input) == [384])
        #expect(try query("x := object.get(input.m, [\"k\", \"deep\"], false)", input: input) == [true])
        #expect(try query("x := [input.env, upper(input.xs[1])]", input: input) == [["prod", "B"]])
        #expect(try query("x := count(data.p.names) + 1", input: input) == [3])
    }

    @Test func computesMembershipCompositesFunctionsAndBaseData() throws {
        #expect(try query("x := input.env in {\"dev\", \"prod\"}", input: input) == [true])
        #expect(try query("x := \"z\" in input.xs", input: input) == [false])
        #expect(try query("x := {\"a\": input.n, \"b\": [input.env]}", input: input) == [["a": 3, "b": ["prod"]]])
        #expect(try query("x := data.p.doubled", input: input) == [6])
        #expect(try query("x := data.cfg.limit + 1", input: input) == [6])
        #expect(try query("x := data.cfg.missing", input: input).isEmpty)
    }

    @Test func someInIteratesMembersInOrderWithKeys() throws {
        #expect(try query("x := [v | some v in {\"b\", \"a\", \"c\"}]", input: input) == [["a", "b", "c"]])
        #expect(try query("x := [[k, v] | some k, v in input.xs]", input: input) == [[[0, "a"], [1, "b"]]])
        #expect(try query("x := [k | some k, _ in {\"z\": 1, \"y\": 2}]", input: input) == [["y", "z"]])
        #expect(try query("x := [v | some v in input.missing]", input: input) == [[]])
        #expect(try query("x := [v | some v in 5]", input: input) == [[]])
        // A collection that iterates itself goes the general way, with the same answers.
        #expect(try query("x := [v | some v in input.m[_]]", input: input) == [[true]])
        #expect(try query("x := [v | some v, v in [1, 1, 2]]", input: input) == [[1, 2]])
    }

    @Test func aHelperSetIteratedByManyRulesKeepsItsOrderAndFollowsWith() throws {
        let module = try Parser.parseModule(
            """
            package h
            names contains n if some n in input.xs
            first := [n | some n in names][0]
            upper_all := [upper(n) | some n in names]
            """, file: "h.rego")
        let policy = try CompiledPolicy(modules: [module])
        let query = try PreparedQuery(
            "a := data.h.first; b := data.h.upper_all; c := data.h.upper_all with input.xs as [\"q\", \"p\"]; x := [a, b, c]", policy: policy)
        #expect(try query.evaluate(input: ["xs": ["b", "c", "a"]]).first?["x"] == ["a", ["A", "B", "C"], ["P", "Q"]])
    }

    @Test func aLongChainOfRulesStopsWithAnErrorNotACrash() async throws {
        // r0 := r1 + 1, …, r1999 := r2000 + 1, r2000 := 0: each rule reads the next one through
        // the direct path, deeper than an evaluation may go on a pool thread's stack.
        let rules = (0..<2_000).map { "r\($0) := r\($0 + 1) + 1" }.joined(separator: "\n")
        let module = try Parser.parseModule("package chain\n\(rules)\nr2000 := 0\n", file: "chain.rego")
        let query = try PreparedQuery("x := data.chain.r0", policy: try CompiledPolicy(modules: [module]))
        do {
            _ = try query.evaluate()
            Issue.record("expected a recursion error")
        } catch {
            #expect(error.code == .recursion)
        }
        // On the large-stack thread the same chain evaluates.
        let value = await LargeStackExecutor.shared.run { try? query.evaluate().first?["x"] }
        #expect(value == 2_000)
    }

    @Test func anUndefinedTermMakesTheWholeUndefinedBeforeItsRightSideIsEvaluated() throws {
        #expect(try query("x := input.missing.field", input: input).isEmpty)
        #expect(try query("x := data.p.limits[input.missing]", input: input).isEmpty)
        // The right side would fail in strict mode; the general path never reaches it either.
        #expect(try query("x := input.missing + to_number(input.s)", input: input, strict: true).isEmpty)
    }

    @Test func builtInErrorsAreUndefinedOrRaisedAsInStrictMode() throws {
        #expect(try query("x := to_number(input.s)", input: input).isEmpty)
        #expect(throws: RegoError.self) { try query("x := to_number(input.s)", input: input, strict: true) }
        do {
            _ = try query("x := to_number(input.s)", input: input, strict: true)
        } catch {
            #expect(error.code == .builtin || error.code == .evalType)
            #expect(error.message.hasPrefix("to_number:"))
        }
    }

    @Test func aTermThatIteratesPartWayIsLeftToTheGeneralPath() throws {
        #expect(try query("x := concat(\"-\", [input.env, input.xs[_]])", input: input) == ["prod-a", "prod-b"])
        let prepared = try PreparedQuery("x := input.xs[i]", policy: policy)
        let evaluation = Evaluation(policy: policy, input: input)
        guard case .expression(let term) = prepared.body[0].kind, case .binary(_, _, let right) = term.kind else {
            Issue.record("unexpected query shape: \(prepared.body)")
            return
        }
        guard case .iterates = try evaluation.direct(right, Bindings()) else {
            Issue.record("an unbound index must iterate")
            return
        }
        guard case .value(let value) = try evaluation.direct(right, Bindings().binding("i", to: 1)) else {
            Issue.record("a bound index has one value")
            return
        }
        #expect(value == "b")
    }
}

import NovaCore
import Testing

@testable import Rego

/// The compiler's safety pass: bodies run in an order where every variable is bound before
/// it is read, and a variable nothing binds is refused when compiling.
@Suite struct SafetyPassTests {
    func compile(_ source: String) throws(RegoError) -> CompiledPolicy {
        try CompiledPolicy(modules: [try Parser.parseModule(source, file: "s.rego")])
    }

    func values(_ query: String, _ policy: CompiledPolicy, input: Value? = nil) throws -> [[String: Value]] {
        try PreparedQuery(query, policy: policy).evaluate(input: input)
    }

    @Test func literalsRunAfterTheOnesThatBindTheirInputs() throws {
        // Written in the "wrong" order: x is read before the literal that binds it.
        let p = try compile("package s\nr contains y if {\n  y := x * 10\n  x := input.xs[_]\n}")
        #expect(try values("x := data.s.r", p, input: ["xs": [1, 2]]) == [["x": .set([10, 20])]])
    }

    @Test func eitherSideOfAUnificationMayBind() throws {
        let p = try compile("package s\nk contains i if { input.xs[i] = 2 }\nv := x if { [x, 1] = [input.a, y]; y == 1 }")
        #expect(try values("x := data.s.k", p, input: ["xs": [2, 3, 2], "a": 5]) == [["x": .set([0, 2])]])
        #expect(try values("x := data.s.v", p, input: ["xs": [], "a": 5]) == [["x": 5]])
    }

    @Test func anExtraArgumentReceivesTheResult() throws {
        let p = try compile("package s\nn := c if count(input.xs, c)\nf(a) := a + 1\ng := y if f(1, y)")
        #expect(try values("x := data.s.n", p, input: ["xs": [1, 2, 3]]) == [["x": 3]])
        #expect(try values("x := data.s.g", p) == [["x": 2]])
    }

    @Test func aComparisonMayBindThroughItsReference() throws {
        let p = try compile("package s\np := i if { some i; i == input.xs[i] }")
        #expect(try values("x := data.s.p", p, input: ["xs": [3, 1, 5]]) == [["x": 1]])
    }

    @Test func comprehensionsCaptureOnlyVariablesBoundOutside() throws {
        let p = try compile("package s\nxs := {\"a\", \"b\"}\np := x if {\n  y := {x | xs[x]}\n  x := count(y)\n}")
        #expect(try values("x := data.s.p", p) == [["x": 2]])
    }

    @Test(arguments: [
        ("package s\np if x > 1", "x", 2),
        ("package s\np contains x if { true }", "x", 2),
        ("package s\np if { not input.a[x] }", "x", 2),
        ("package s\np := [y | y > 1]", "y", 2),
    ])
    func unboundVariablesAreUnsafe(source: String, name: String, line: Int) {
        do {
            _ = try compile(source)
            Issue.record("expected rego_unsafe_var_error")
        } catch {
            #expect(error.code == .unsafeVariable)
            #expect(error.message == "var \(name) is unsafe")
            #expect(error.span?.line == line)
        }
    }

    @Test func unknownFunctionsAndWrongArityAreTypeErrors() {
        #expect(throws: RegoError.self) { try compile("package s\np if nosuch(1)") }
        do {
            _ = try compile("package s\np if count(1, 2, 3)")
            Issue.record("expected a type error")
        } catch {
            #expect(error.code == .type)
        }
    }
}

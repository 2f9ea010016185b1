import NovaCore
import Testing

@testable import Rego

@Suite struct ParserTests {
    func module(_ text: String, version: Module.Version = .v1) throws -> Module {
        try Parser.parseModule(text, file: "test.rego", version: version)
    }

    func parseError(_ text: String, version: Module.Version = .v1) -> RegoError? {
        do {
            _ = try Parser.parseModule(text, file: "test.rego", version: version)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheRuleFormsOfRegoV1() throws {
        let m = try module(
            """
            package example.authz

            import data.roles
            import input.user as u

            default allow := false

            allow if {
                some role in roles[u.name]
                role == "admin"
            }

            deny contains msg if {
                not u.active
                msg := sprintf("%s is inactive", [u.name])
            }

            quota[team] := n if {
                some team, limit in data.limits
                n := limit * 2
            }

            max_size(env) := 8 if env == "prod"
            else := 4

            a.b.c := 1
            """)
        #expect(m.packagePath == ["example", "authz"])
        #expect(m.imports.map(\.alias) == [nil, "u"])
        #expect(m.rules.map(\.kind) == [.complete, .complete, .partialSet, .partialObject, .function, .complete])
        #expect(m.rules[0].isDefault && m.rules[0].value?.kind == .boolean(false))
        #expect(m.rules[1].bodies.first?.count == 2)
        #expect(m.rules[3].key?.variableName == "team")
        #expect(m.rules[4].arguments.count == 1 && m.rules[4].elses.count == 1)
        #expect(Parser.names(of: m.rules[5].ref) == ["a", "b", "c"])
    }

    @Test func operatorsBindAsInOPA() throws {
        let body = try Parser.parseQuery("x := 1 + 2 * 3 == 7")
        guard case .expression(let term) = body[0].kind, case .binary(.assign, _, let right) = term.kind,
            case .binary(.equal, let sum, _) = right.kind, case .binary(.plus, _, let product) = sum.kind,
            case .binary(.times, _, _) = product.kind
        else {
            Issue.record("unexpected tree: \(body)")
            return
        }
    }

    @Test func readsCollectionsAndComprehensions() throws {
        let body = try Parser.parseQuery(
            """
            a := [x | some x in [1, 2, 3]; x > 1]
            s := {y | y := input.items[_].name}
            o := {k: v | some k, v in {"a": 1, "b": 2}}
            e := set()
            u := {1, 2} | {3}
            t := {"x": [1, {2}], "y": {}}
            """)
        #expect(body.count == 6)
        guard case .expression(let term) = body[3].kind, case .binary(_, _, let empty) = term.kind else {
            Issue.record("expected an assignment, got \(body[3].kind)")
            return
        }
        #expect(empty.kind == .set([]))
        guard case .expression(let union) = body[4].kind, case .binary(_, _, let right) = union.kind else {
            Issue.record("expected an assignment, got \(body[4].kind)")
            return
        }
        if case .binary(.union, _, _) = right.kind {} else { Issue.record("expected a union, got \(right.kind)") }
    }

    @Test func newlinesSeparateLiteralsOutsideBrackets() throws {
        let body = try Parser.parseQuery(
            """
            x := [1,
                  2]
            y := x
            [a, b] := x
            """)
        #expect(body.count == 3)
    }

    @Test func everyWithAndNot() throws {
        let body = try Parser.parseQuery(
            """
            every k, v in input.tags { startswith(k, "x-"); v != "" }
            not allowed with input.user as "bob" with data.roles as {}
            """)
        guard case .every(let key, _, _, let inner) = body[0].kind else { Issue.record("expected every"); return }
        #expect(key?.variableName == "k" && inner.count == 2)
        #expect(body[1].with.count == 2)
    }

    @Test func templateStringsInterpolate() throws {
        let body = try Parser.parseQuery(#"msg := $"user {input.user.name} has {count(input.roles)} roles \{literal\}""#)
        guard case .expression(let term) = body[0].kind, case .binary(_, _, let template) = term.kind, case .template(let parts) = template.kind else {
            Issue.record("expected a template")
            return
        }
        #expect(parts.count == 5)
        #expect(parts.last == .text(" roles {literal}"))
    }

    @Test func version0RulesAndChainedBodies() throws {
        let m = try module(
            """
            package legacy
            deny[msg] { input.x; msg := "x" }
            allow = true { input.a } { input.b }
            f(x) = y { y := x + 1 }
            p { true }
            """, version: .v0)
        #expect(m.rules.map(\.kind) == [.partialSet, .complete, .function, .complete])
        #expect(m.rules[1].bodies.count == 2)
        #expect(parseError("package p\nq[x] { x := 1 }", version: .v1) != nil, "v1 needs if (and contains for sets)")
    }

    @Test func futureKeywordsComeWithTheirImport() throws {
        let m = try module(
            """
            package p
            import future.keywords.if
            import future.keywords.in
            allow if { 1 in [1] }
            """, version: .v0)
        #expect(m.rules.count == 1)
    }

    @Test(arguments: [
        ("package p\nallow if {", 2, "expected }"),
        ("package p\nx := [1, 2", 2, "expected ]"),
        ("package p\ny := \"abc", 2, "unterminated string"),
        ("package p\nz := 1 +", 2, "unexpected"),
        ("pkg p", 1, "expected package"),
        ("package p\n\nr if { x := 1 x == 2 }", 3, "separated by a newline"),
    ])
    func errorsNameTheLineAndPointAtTheColumn(source: String, line: Int, fragment: String) throws {
        let error = try #require(parseError(source))
        #expect(error.code == .parse)
        #expect(error.span?.line == line, "\(error)")
        #expect(error.description.contains(fragment), "\(error)")
        #expect(error.description.contains("test.rego:\(line):"))
        #expect(error.description.contains("^"))
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: RegoError.self) { try Parser.parseQuery("x := \(deep)") }
    }

    @Test func metadataCommentsAttachToTheRuleBelow() throws {
        let m = try module(
            """
            package p

            # METADATA
            # title: Production VMs are encrypted
            # custom:
            #   severity: high
            deny contains "x" if input.bad

            # just a comment
            allow := true
            """)
        #expect(m.rules[0].annotations?["title"] == "Production VMs are encrypted")
        #expect(m.rules[0].annotations?["custom"]?["severity"] == "high")
        #expect(m.rules[1].annotations == nil)
        let broken = parseError("package p\n# METADATA\n# title: [unclosed\nallow := true")
        #expect(broken?.description.contains("METADATA") == true)
    }
}

import NovaCore
import Testing

@testable import Rego

@Suite struct EvaluationTests {
    func policy(_ modules: [String], data: Value = .emptyObject) throws -> CompiledPolicy {
        try CompiledPolicy(modules: modules.enumerated().map { i, text in try Parser.parseModule(text, file: "m\(i).rego") }, data: data)
    }

    func query(_ q: String, _ p: CompiledPolicy, input: Value? = nil) throws -> [[String: Value]] {
        try PreparedQuery(q, policy: p).evaluate(input: input)
    }

    let rbac = """
        package rbac

        import data.bindings

        default allow := false

        allow if {
            some role in bindings[input.user]
            some grant in data.grants[role]
            grant.action == input.action
            glob_match(grant.resource, input.resource)
        }

        glob_match(pattern, name) if pattern == "*"
        glob_match(pattern, name) if pattern == name
        """

    let rbacData: Value = [
        "bindings": ["alice": ["admin"], "bob": ["viewer"]],
        "grants": ["admin": [["action": "write", "resource": "*"]], "viewer": [["action": "read", "resource": "vms"]]],
    ]

    @Test func decidesAccessWithIterationFunctionsAndDefaults() throws {
        let p = try policy([rbac], data: rbacData)
        #expect(try query("x := data.rbac.allow", p, input: ["user": "alice", "action": "write", "resource": "nets"]) == [["x": true]])
        #expect(try query("x := data.rbac.allow", p, input: ["user": "bob", "action": "write", "resource": "vms"]) == [["x": false]])
        #expect(try query("data.rbac.allow", p, input: ["user": "bob", "action": "read", "resource": "vms"]) == [[:]])
        #expect(try query("data.rbac.allow == true", p, input: ["user": "eve", "action": "read", "resource": "vms"]).isEmpty)
    }

    @Test func buildsSetsObjectsAndComprehensions() throws {
        let p = try policy([
            """
            package admission

            deny contains msg if {
                some vm in input.vms
                not vm.encrypted
                msg := sprintf("%s: disk not encrypted", [vm.name])
            }

            sizes[vm.name] := vm.cpus * 2 if some vm in input.vms

            names := [vm.name | some vm in input.vms]
            big := {n | some vm in input.vms; vm.cpus > 2; n := vm.name}
            all_named if every vm in input.vms { vm.name != "" }
            total := sum([vm.cpus | some vm in input.vms])
            """
        ])
        let input: Value = ["vms": [["name": "a", "cpus": 2, "encrypted": true], ["name": "b", "cpus": 4]]]
        #expect(try query("x := data.admission.deny", p, input: input) == [["x": .set(["b: disk not encrypted"])]])
        #expect(try query("x := data.admission.sizes", p, input: input) == [["x": ["a": 4, "b": 8]]])
        #expect(try query("x := data.admission.names", p, input: input) == [["x": ["a", "b"]]])
        #expect(try query("x := data.admission.big", p, input: input) == [["x": .set(["b"])]])
        #expect(try query("data.admission.all_named", p, input: input) == [[:]])
        #expect(try query("x := data.admission.total", p, input: input) == [["x": 6]])
        #expect(try query("x := data.admission", p, input: input).first?["x"]?["total"] == 6, "a package reads as an object of its rules")
    }

    @Test func functionsWithElseAndQueriesThatIterate() throws {
        let p = try policy([
            """
            package limits
            max_cpus(env) := 32 if env == "prod"
            else := 8 if env == "staging"
            else := 2
            """
        ])
        #expect(try query("x := data.limits.max_cpus(\"staging\")", p) == [["x": 8]])
        #expect(try query("x := data.limits.max_cpus(\"dev\")", p) == [["x": 2]])
        #expect(try query("some i; x := [10, 20, 30][i]; x > 10", p).count == 2)
        #expect(try query("x := {\"a\": 1}[k]", p) == [["x": 1, "k": "a"]])
    }

    @Test func withReplacesTheInput() throws {
        let p = try policy(["package w\nallowed if input.user == \"root\""])
        #expect(try query("data.w.allowed with input as {\"user\": \"root\"}", p) == [[:]])
        #expect(try query("data.w.allowed with input.user as \"bob\"", p).isEmpty)
    }

    @Test func reportsConflictsUnsafeVariablesAndRecursion() throws {
        let conflict = try policy(["package c\nv := 1 if true\nv := 2 if true"])
        #expect(throws: RegoError.self) { try query("x := data.c.v", conflict) }
        do {
            _ = try policy(["package u\np if x > 1"])
            Issue.record("expected an unsafe variable error when compiling")
        } catch {
            #expect((error as? RegoError)?.code == .unsafeVariable)
        }
        let recursive = try policy(["package r\np if q\nq if p"])
        do {
            _ = try query("data.r.p", recursive)
            Issue.record("expected a recursion error")
        } catch {
            #expect((error as? RegoError)?.code == .recursion)
        }
    }

    @Test func builtinErrorsAreUndefinedUnlessStrict() throws {
        let p = try policy(["package b\nn := to_number(\"abc\")"])
        #expect(try query("x := data.b.n", p).isEmpty)
        let strict = try PreparedQuery("x := data.b.n", policy: p)
        #expect(throws: RegoError.self) { try strict.evaluate(strictBuiltinErrors: true) }
    }
}

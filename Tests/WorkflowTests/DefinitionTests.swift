import NovaCore
import Testing

@testable import Workflow

func definition(_ yaml: String, actions: Set<String>? = ["noop", "fail", "approval", "sleep", "undo"]) throws -> WorkflowDefinition {
    try WorkflowDefinition(document: try Value(yaml: yaml), knownActions: actions)
}

func diagnostics(_ yaml: String) -> [Diagnostic] {
    do {
        _ = try definition(yaml)
        return []
    } catch let error as NovaError {
        return error.diagnostics
    } catch {
        return [Diagnostic(code: "unexpected", message: "\(error)")]
    }
}

@Suite struct DefinitionTests {
    @Test func readsAFullDefinition() throws {
        let d = try definition(
            """
            name: deploy
            inputs:
              env: {default: dev}
              names: {required: true}
            concurrency: 4
            deadline: 1h
            retry: {maxAttempts: 5, initialInterval: 2s}
            steps:
              - name: network
                action: noop
                compensate: {action: undo, inputs: {name: "${steps.network.output.name}"}}
              - name: vms
                action: noop
                dependsOn: [network]
                forEach: ${inputs.names}
                inputs: {name: "vm-${item}", net: "${steps.network.output.name}"}
                retry: {maxAttempts: 2}
                timeout: 30s
              - name: check
                action: noop
                dependsOn: [vms]
                when: inputs.env == "prod" && steps.vms.status == "succeeded"
            outputs: {vms: "${steps.vms.output}"}
            """)
        #expect(d.steps.map(\.name) == ["network", "vms", "check"])
        #expect(d.concurrency == 4 && d.deadline == 3600)
        #expect(d.steps[0].retry.maxAttempts == 5 && d.steps[0].retry.initialInterval == 2)
        #expect(d.steps[1].retry.maxAttempts == 2 && d.steps[1].retry.initialInterval == 2 && d.steps[1].timeout == 30)
        #expect(d.steps[1].forEach?.description == "inputs.names")
        #expect(try d.runInputs(["names": ["a"]]) == ["names": ["a"], "env": "dev"])
        #expect(throws: NovaError.self) { try d.runInputs(["env": "prod"]) }
    }

    @Test func reportsEveryGraphProblemWithItsPath() {
        let found = diagnostics(
            """
            name: broken
            steps:
              - {name: a, action: noop, dependsOn: [c]}
              - {name: b, action: nope, dependsOn: [ghost]}
              - {name: c, action: noop, dependsOn: [a]}
              - {name: a, action: noop}
            """)
        let codes = Set(found.map(\.code))
        #expect(codes.isSuperset(of: ["duplicate_step", "unknown_action", "unknown_dependency", "cyclic_dependency"]))
        #expect(found.contains { $0.code == "unknown_dependency" && $0.path == "steps[1].dependsOn[0]" })
        #expect(found.contains { $0.code == "cyclic_dependency" && $0.message.contains("a → c → a") })
    }

    @Test func rejectsReferencesToStepsThatMayNotHaveRun() {
        let found = diagnostics(
            """
            name: refs
            steps:
              - {name: a, action: noop}
              - {name: b, action: noop, inputs: {x: "${steps.a.output}", y: "${steps.c.output}", z: "${item}", w: "${steps.zz.output}"}}
              - {name: c, action: noop, dependsOn: [b], when: "steps.b.output.ok && steps.a.output.ok"}
            """)
        #expect(found.contains { $0.path == "steps[1].inputs" && $0.message.contains("\"a\"") })
        #expect(found.contains { $0.path == "steps[1].inputs" && $0.message.contains("\"c\"") })
        #expect(found.contains { $0.message.contains("only defined in a step with forEach") })
        #expect(found.contains { $0.message.contains("names no step") })
        #expect(found.filter { $0.path == "steps[2].when" }.map(\.message).allSatisfy { $0.contains("\"a\"") }, "b is c's dependency, a is not")
        #expect(found.filter { $0.path == "steps[2].when" }.count == 1)
    }

    @Test func reportsUnknownFieldsAndBadDurations() {
        let found = diagnostics(
            """
            name: Bad_Name
            steps:
              - {name: a, action: noop, timeout: soon, retyr: {}}
            """)
        #expect(found.contains { $0.path == "name" })
        #expect(found.contains { $0.path == "steps[0].timeout" })
        #expect(found.contains { $0.path == "steps[0].retyr" && $0.code == "unknown_field" })
    }

    @Test func readsResourceShapedDocuments() throws {
        let d = try definition(
            """
            apiVersion: novacron.io/v1
            kind: Workflow
            metadata: {name: shaped}
            spec:
              steps: [{name: a, action: noop}]
            """)
        #expect(d.name == "shaped")
    }

    @Test func templatesKeepTypesAndInterpolate() throws {
        let scope: Value = ["inputs": ["n": 3, "name": "web"], "steps": ["a": ["output": ["ids": [1, 2]]]]]
        #expect(try Template.resolve("${inputs.n}", in: scope) == 3)
        #expect(try Template.resolve("${steps.a.output.ids[1]}", in: scope) == 2)
        #expect(try Template.resolve("vm-${inputs.name}-${inputs.n} costs $${x}", in: scope) == "vm-web-3 costs ${x}")
        #expect(try Template.resolve(["list": ["${inputs.name}"]], in: scope) == ["list": ["web"]])
        #expect(throws: StepError.self) { try Template.resolve("${inputs.missing}", in: scope) }
    }

    @Test(arguments: [
        ("inputs.n > 2 && inputs.name == 'web'", true),
        ("!(inputs.n >= 3) || inputs.flag", false),
        ("inputs.missing", false),
        ("inputs.name != \"db\"", true),
        ("inputs.n <= 2.5", false),
    ])
    func conditionsEvaluate(source: String, expected: Bool) throws {
        let scope: Value = ["inputs": ["n": 3, "name": "web", "flag": false]]
        #expect(try StepCondition(parsing: source).evaluate(in: scope) == expected)
    }

    @Test func conditionErrorsNameTheCharacter() {
        #expect(throws: StepError.self) { try StepCondition(parsing: "inputs.n >") }
        do {
            _ = try StepCondition(parsing: "inputs.n == 'x")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("unterminated"))
        }
        #expect(throws: StepError.self) { try StepCondition(parsing: "inputs.n > 'a'").evaluate(in: ["inputs": ["n": 1]]) }
    }

    @Test func durations() {
        #expect(DurationText.parse("250ms") == 0.25)
        #expect(DurationText.parse("1h30m") == 5400)
        #expect(DurationText.parse("12") == 12)
        #expect(DurationText.parse("soon") == nil)
        #expect(DurationText.format(90) == "90s")
        #expect(DurationText.format(120) == "2m")
    }
}

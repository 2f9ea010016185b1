import Foundation
import NovaCore
import Synchronization
import Testing

@testable import Workflow

/// Counts calls per task and fails or blocks as told.
final class ScriptedAction: WorkflowAction, Sendable {
    let name: String
    let calls = Mutex<[String: Int]>([:])
    let failuresBeforeSuccess: Int
    let delay: Duration?

    init(name: String = "scripted", failuresBeforeSuccess: Int = 0, delay: Duration? = nil) {
        self.name = name
        self.failuresBeforeSuccess = failuresBeforeSuccess
        self.delay = delay
    }

    var isLongRunning: Bool { delay != nil }

    func count(_ task: String) -> Int { calls.withLock { $0[task] ?? 0 } }

    func run(_ input: Value, context: ActionContext) async throws -> Value {
        let n = calls.withLock { calls -> Int in
            calls[context.task.description, default: 0] += 1
            return calls[context.task.description]!
        }
        if let delay { try await Task.sleep(for: delay) }
        if n <= failuresBeforeSuccess { throw StepError(code: "flaky", message: "attempt \(n) fails") }
        return ["task": .string(context.task.description), "attempt": .int(context.attempt), "input": input]
    }
}

func withEngine<T: Sendable>(_ engine: WorkflowEngine, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await engine.run(); return nil
        }
        let result = try await body()
        group.cancelAll()
        return result
    }
}

@Suite struct EngineTests {
    @Test func runsAWorkflowToTheEndWithOutputs() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [NoopAction()])
        try await engine.register(
            try Value(
                yaml: """
                    name: diamond
                    inputs: {who: {default: world}}
                    steps:
                      - {name: a, action: noop, inputs: {greeting: "hello ${inputs.who}"}}
                      - {name: b, action: noop, dependsOn: [a], inputs: {from: "${steps.a.output.greeting}"}}
                      - {name: c, action: noop, dependsOn: [a]}
                      - {name: d, action: noop, dependsOn: [b, c], inputs: {b: "${steps.b.output.from}"}}
                    outputs: {result: "${steps.d.output.b}"}
                    """))
        let record = try await withEngine(engine) {
            let run = try await engine.start("diamond")
            return try await engine.waitForEnd(of: run.id)
        }
        #expect(record.status == .succeeded)
        #expect(record.output == ["result": "hello world"])
        let checkpoints = try await engine.store.checkpoints(run: record.id)
        #expect(checkpoints.map(\.task.description).sorted() == ["a", "b", "c", "d"])
        let history = try await engine.store.history(run: record.id)
        #expect(history.first?.event.typeName == "started" && history.count == 5)
    }

    @Test func retriesAFlakyStepUntilItSucceeds() async throws {
        let flaky = ScriptedAction(failuresBeforeSuccess: 2)
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [flaky])
        try await engine.register(
            try Value(
                yaml: """
                    name: flaky
                    steps: [{name: a, action: scripted, retry: {initialInterval: 10ms, maxAttempts: 3}}]
                    """))
        let record = try await withEngine(engine) { try await engine.waitForEnd(of: try await engine.start("flaky").id) }
        #expect(record.status == .succeeded)
        #expect(flaky.count("a") == 3)
        #expect(engine.metrics.snapshot.retries == 2)
    }

    @Test func anAttemptPastItsTimeoutFails() async throws {
        let slow = ScriptedAction(delay: .seconds(30))
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [slow])
        try await engine.register(
            try Value(yaml: "name: slow\nsteps: [{name: a, action: scripted, timeout: 50ms, retry: {maxAttempts: 2, initialInterval: 10ms}}]"))
        let started = ContinuousClock.now
        let record = try await withEngine(engine) { try await engine.waitForEnd(of: try await engine.start("slow").id) }
        #expect(record.status == .failed)
        #expect(record.error["code"] == "timeout")
        #expect(slow.count("a") == 2)
        #expect(ContinuousClock.now - started < .seconds(25), "two attempts cut at 50 ms, not 2 × 30 s (the bound is loose: the suite runs tests side by side)")
    }

    @Test func aSilentAttemptFailsItsHeartbeat() async throws {
        let silent = ScriptedAction(delay: .seconds(30))
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [silent])
        try await engine.register(try Value(yaml: "name: hb\nsteps: [{name: a, action: scripted, heartbeatTimeout: 40ms, retry: {maxAttempts: 1}}]"))
        let record = try await withEngine(engine) { try await engine.waitForEnd(of: try await engine.start("hb").id) }
        #expect(record.error["code"] == "heartbeat_timeout")
    }

    @Test func compensatesThroughTheEngine() async throws {
        let undo = ScriptedAction(name: "undo")
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [NoopAction(), undo, ScriptedAction(name: "broken", failuresBeforeSuccess: 99)])
        try await engine.register(
            try Value(
                yaml: """
                    name: saga
                    steps:
                      - {name: a, action: noop, compensate: {action: undo, inputs: {what: a}}}
                      - {name: b, action: noop, dependsOn: [a], compensate: {action: undo, inputs: {what: b}}}
                      - {name: c, action: broken, dependsOn: [b], retry: {maxAttempts: 2, initialInterval: 5ms}}
                    """))
        let record = try await withEngine(engine) { try await engine.waitForEnd(of: try await engine.start("saga").id) }
        #expect(record.status == .compensated)
        #expect(record.error["step"] == "c")
        let history = try await engine.store.history(run: record.id).compactMap { entry -> String? in
            if case .taskSucceeded(let key, _, _) = entry.event, key.isCompensation { return key.description }
            return nil
        }
        #expect(history == ["undo:b", "undo:a"])
    }

    @Test func approvalsNeedTheirRole() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [NoopAction()])
        try await engine.register(
            try Value(
                yaml: """
                    name: gate
                    steps:
                      - {name: ok, action: approval, inputs: {role: operator, message: "go?"}}
                      - {name: go, action: noop, dependsOn: [ok], inputs: {by: "${steps.ok.output.by}"}}
                    outputs: {by: "${steps.go.output.by}"}
                    """))
        let record = try await withEngine(engine) {
            let run = try await engine.start("gate")
            let ok = TaskKey("ok")!
            await #expect(throws: NovaError.self) { try await engine.decide(run.id, task: ok, approve: true, by: "eve", roles: ["viewer"]) }
            let state = try await engine.describe(run.id)
            #expect(state["tasks"]?.arrayValue?.first?["state"] == "awaiting_approval")
            try await engine.decide(run.id, task: ok, approve: true, by: "olga", roles: ["operator"])
            return try await engine.waitForEnd(of: run.id)
        }
        #expect(record.status == .succeeded && record.output == ["by": "olga"])
    }

    @Test func cancellingStopsARunningCommand() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore())
        try await engine.register(try Value(yaml: "name: long\nsteps: [{name: wait, action: command, inputs: {argv: [sleep, '30']}}]"))
        let started = ContinuousClock.now
        let record = try await withEngine(engine) {
            let run = try await engine.start("long")
            try await Task.sleep(for: .milliseconds(100))
            try await engine.cancel(run.id, by: "test", reason: "enough")
            return try await engine.waitForEnd(of: run.id)
        }
        #expect(record.status == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(25), "the 30 s command is stopped, not waited for")
    }

    @Test func commandsTakeArgumentsLiterally() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore())
        try await engine.register(
            try Value(
                yaml: """
                    name: echo
                    inputs: {text: {required: true}}
                    steps: [{name: say, action: command, inputs: {argv: [echo, "${inputs.text}"]}}]
                    outputs: {said: "${steps.say.output.stdout}"}
                    """))
        let record = try await withEngine(engine) {
            try await engine.waitForEnd(of: try await engine.start("echo", inputs: ["text": "a; touch /tmp/pwned $(id)"]).id)
        }
        #expect(record.output == ["said": "a; touch /tmp/pwned $(id)\n"])
    }

    @Test func aThousandConcurrentRunsComplete() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [NoopAction()], globalConcurrency: 64)
        try await engine.register(
            try Value(
                yaml: """
                    name: chain
                    steps:
                      - {name: a, action: noop}
                      - {name: b, action: noop, dependsOn: [a]}
                      - {name: c, action: noop, dependsOn: [b]}
                    """))
        let statuses = try await withEngine(engine) {
            try await withThrowingTaskGroup(of: RunStatus.self) { group in
                for _ in 0..<1000 {
                    group.addTask { try await engine.waitForEnd(of: try await engine.start("chain").id).status }
                }
                var all: [RunStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
        }
        #expect(statuses.count == 1000 && statuses.allSatisfy { $0 == .succeeded })
        #expect(engine.metrics.snapshot.attemptsSucceeded == 3000)
    }

    @Test func resumesAfterTheEngineStopsWithoutRepeatingFinishedSteps() async throws {
        let store = InMemoryWorkflowStore()
        let first = ScriptedAction(name: "work", delay: .seconds(30))
        let engine = WorkflowEngine(store: store, actions: [NoopAction(), first])
        try await engine.register(
            try Value(
                yaml: """
                    name: resumable
                    steps:
                      - {name: a, action: noop}
                      - {name: b, action: work, dependsOn: [a]}
                    """))
        let id = try await withEngine(engine) {
            let run = try await engine.start("resumable")
            while first.count("b") == 0 { try await Task.sleep(for: .milliseconds(5)) }
            return run.id
        }
        #expect(try await store.run(id: id)?.status == .running)

        let second = ScriptedAction(name: "work")
        let counting = ScriptedAction(name: "noop")
        let restarted = WorkflowEngine(store: store, actions: [counting, second])
        let record = try await withEngine(restarted) { try await restarted.waitForEnd(of: id) }
        #expect(record.status == .succeeded)
        #expect(counting.count("a") == 0, "a finished before the stop and must not run again")
        #expect(second.count("b") == 1, "b was in flight and runs again")
        #expect(try await store.history(run: id).contains { $0.event == .resumed })
    }

    @Test func aRunKeepsTheVersionItStartedWith() async throws {
        let engine = WorkflowEngine(store: InMemoryWorkflowStore(), actions: [NoopAction()])
        let v1 = """
            name: versioned
            steps:
              - {name: ok, action: approval}
              - {name: done, action: noop, dependsOn: [ok], inputs: {version: 1}}
            outputs: {version: "${steps.done.output.version}"}
            """
        try await engine.register(try Value(yaml: v1))
        let record = try await withEngine(engine) {
            let run = try await engine.start("versioned")
            let v2 = try await engine.register(try Value(yaml: v1.replacingOccurrences(of: "version: 1}", with: "version: 2}")))
            #expect(v2.definition.version == 2)
            try await engine.decide(run.id, task: TaskKey("ok")!, approve: true, by: "t", roles: ["admin"])
            return try await engine.waitForEnd(of: run.id)
        }
        #expect(record.version == 1 && record.output == ["version": 1])
    }
}

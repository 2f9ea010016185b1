import NovaCore
import Testing

@testable import Workflow

/// Drives a machine by hand: every action it asks for is recorded, tasks are completed by the test.
struct Driver {
    var machine: RunStateMachine
    var executed: [TaskRequest] = []
    var timers: [TaskKey: Double] = [:]
    var finished: RunStatus?

    init(_ definition: WorkflowDefinition, inputs: Value = .emptyObject, priorities: [Double]? = nil) throws {
        machine = RunStateMachine(definition: definition, runID: "run-1", seed: 7, priorities: priorities)
        try send(.started(inputs: inputs), at: 0)
    }

    mutating func send(_ event: RunEvent, at time: Double) throws {
        for action in try machine.apply(event, at: time) {
            switch action {
            case .execute(let request): executed.append(request)
            case .startTimer(let key, let at): timers[key] = at
            case .cancel: break
            case .finish(let status): finished = status
            }
        }
    }

    var inFlight: [TaskKey] { machine.taskPhases.filter { $0.phase == .running }.map(\.key) }

    mutating func succeed(_ key: String, output: Value = .emptyObject, at time: Double = 1) throws {
        let key = TaskKey(key)!
        let attempt = machine.taskPhases.first { $0.key == key }!.attempt
        try send(.taskSucceeded(key, attempt: attempt, output: output), at: time)
    }

    mutating func fail(_ key: String, _ error: StepError = StepError(code: "boom", message: "boom"), at time: Double = 1) throws {
        let key = TaskKey(key)!
        let attempt = machine.taskPhases.first { $0.key == key }!.attempt
        try send(.taskFailed(key, attempt: attempt, error: error), at: time)
    }
}

@Suite struct RunStateMachineTests {
    let diamond = """
        name: diamond
        steps:
          - {name: a, action: noop}
          - {name: b, action: noop, dependsOn: [a], inputs: {from: "${steps.a.output.v}"}}
          - {name: c, action: noop, dependsOn: [a]}
          - {name: d, action: noop, dependsOn: [b, c]}
        outputs: {last: "${steps.d.output.v}"}
        """

    @Test func runsADiamondInDependencyOrder() throws {
        var run = try Driver(try definition(diamond))
        #expect(run.executed.map(\.key.description) == ["a"])
        try run.succeed("a", output: ["v": 1])
        #expect(run.inFlight.map(\.description) == ["b", "c"])
        #expect(run.executed[1].input == ["from": 1])
        try run.succeed("b")
        #expect(run.inFlight.map(\.description) == ["c"], "d waits for both")
        try run.succeed("c")
        try run.succeed("d", output: ["v": "done"])
        #expect(run.finished == .succeeded)
        #expect(run.machine.output == ["last": "done"])
    }

    @Test func retriesWithExponentialBackoffInsideJitterBounds() throws {
        var run = try Driver(
            try definition(
                """
                name: flaky
                steps:
                  - name: a
                    action: noop
                    retry: {initialInterval: 1s, backoffCoefficient: 2, maxInterval: 3s, maxAttempts: 4, jitter: 0.25}
                """))
        var now = 0.0
        for (attempt, base) in [(1, 1.0), (2, 2.0), (3, 3.0)] {
            try run.fail("a", at: now)
            let at = try #require(run.timers[TaskKey("a")!])
            #expect(at - now >= base * 0.75 && at - now <= base * 1.25, "attempt \(attempt): delay \(at - now) outside ±25% of \(base)")
            now = at
            try run.send(.timerFired(TaskKey("a")!), at: now)
            #expect(run.executed.last?.attempt == attempt + 1)
        }
        try run.fail("a", at: now)
        #expect(run.finished == .failed, "four attempts in all")
        #expect(run.machine.failure?.error.code == "boom")
    }

    @Test func jitterIsTheSameOnReplay() throws {
        let d = try definition("name: j\nsteps: [{name: a, action: noop}]")
        var first = try Driver(d), second = try Driver(d)
        try first.fail("a", at: 5)
        try second.fail("a", at: 5)
        #expect(first.timers == second.timers)
    }

    @Test func nonRetryableErrorsStopAtOnce() throws {
        var run = try Driver(
            try definition(
                """
                name: strict
                steps: [{name: a, action: noop, retry: {maxAttempts: 5, nonRetryable: [quota]}}]
                """))
        try run.fail("a", StepError(code: "quota", message: "no room"))
        #expect(run.finished == .failed && run.timers.isEmpty)
        var other = try Driver(try definition("name: s\nsteps: [{name: a, action: noop, retry: {maxAttempts: 5}}]"))
        try other.fail("a", StepError(code: "bad", message: "x", isRetryable: false))
        #expect(other.finished == .failed)
    }

    @Test func compensatesCompletedStepsInReverseOrder() throws {
        var run = try Driver(
            try definition(
                """
                name: saga
                steps:
                  - {name: a, action: noop, compensate: {action: undo, inputs: {id: "${steps.a.output.id}"}}}
                  - {name: b, action: noop, dependsOn: [a], compensate: {action: undo}}
                  - {name: c, action: noop, dependsOn: [b]}
                  - {name: d, action: fail, dependsOn: [c], retry: {maxAttempts: 1}}
                """))
        try run.succeed("a", output: ["id": 42])
        try run.succeed("b")
        try run.succeed("c")
        try run.fail("d")
        #expect(run.machine.status == .compensating)
        #expect(run.executed.last?.key.description == "undo:b")
        try run.succeed("undo:b")
        #expect(run.executed.last?.key.description == "undo:a")
        #expect(run.executed.last?.input == ["id": 42])
        try run.succeed("undo:a")
        #expect(run.finished == .compensated)
    }

    @Test func aFailedCompensationIsReportedAndTheRestStillRun() throws {
        var run = try Driver(
            try definition(
                """
                name: saga2
                steps:
                  - {name: a, action: noop, compensate: {action: undo}}
                  - {name: b, action: noop, dependsOn: [a], compensate: {action: undo}, retry: {maxAttempts: 1}}
                  - {name: c, action: fail, dependsOn: [b], retry: {maxAttempts: 1}}
                """))
        try run.succeed("a")
        try run.succeed("b")
        try run.fail("c")
        try run.fail("undo:b", StepError(code: "gone", message: "x", isRetryable: false))
        #expect(run.executed.last?.key.description == "undo:a")
        try run.succeed("undo:a")
        #expect(run.finished == .compensationFailed)
        #expect(run.machine.compensationFailures.keys.map(\.description) == ["undo:b"])
    }

    @Test func aFailureWaitsForParallelStepsBeforeCompensating() throws {
        var run = try Driver(
            try definition(
                """
                name: par
                steps:
                  - {name: a, action: noop, compensate: {action: undo}, retry: {maxAttempts: 1}}
                  - {name: b, action: noop, compensate: {action: undo}, retry: {maxAttempts: 1}}
                """))
        try run.fail("a")
        #expect(run.machine.status == .running, "b is still in flight")
        try run.succeed("b")
        #expect(run.executed.last?.key.description == "undo:b")
        try run.succeed("undo:b")
        #expect(run.finished == .compensated)
    }

    @Test func fansOutOverAListAndJoins() throws {
        var run = try Driver(
            try definition(
                """
                name: fan
                concurrency: 2
                steps:
                  - {name: each, action: noop, forEach: "${inputs.names}", inputs: {n: "${item}", i: "${index}"}}
                  - {name: join, action: noop, dependsOn: [each], inputs: {all: "${steps.each.output}"}}
                """), inputs: ["names": ["x", "y", "z"]])
        #expect(run.inFlight.map(\.description) == ["each[0]", "each[1]"], "limited to 2")
        #expect(run.executed[1].input == ["n": "y", "i": 1])
        try run.succeed("each[1]", output: "Y")
        try run.succeed("each[0]", output: "X")
        try run.succeed("each[2]", output: "Z")
        #expect(run.executed.last?.input == ["all": ["X", "Y", "Z"]])
    }

    @Test func skipsStepsWhoseConditionIsFalse() throws {
        var run = try Driver(
            try definition(
                """
                name: cond
                steps:
                  - {name: check, action: noop}
                  - {name: fix, action: noop, dependsOn: [check], when: "steps.check.output.healthy == false"}
                  - {name: report, action: noop, dependsOn: [fix]}
                """))
        try run.succeed("check", output: ["healthy": true])
        #expect(run.inFlight.map(\.description) == ["report"])
        #expect(run.machine.stepStates.first { $0.name == "fix" }?.state == "skipped")
    }

    @Test func approvalsWaitForADecisionAndCanTimeOut() throws {
        let d = try definition(
            """
            name: gate
            steps:
              - {name: ok, action: approval, inputs: {role: operator, timeout: 1h}}
              - {name: go, action: noop, dependsOn: [ok]}
            """)
        var run = try Driver(d)
        #expect(run.executed.isEmpty && run.timers[TaskKey("ok")!] == 3600)
        #expect(throws: NovaError.self) { try run.send(.approvalDecided(TaskKey("go")!, approved: true, by: "x", comment: ""), at: 1) }
        try run.send(.approvalDecided(TaskKey("ok")!, approved: true, by: "alice", comment: "fine"), at: 10)
        #expect(run.executed.map(\.key.description) == ["go"])

        var late = try Driver(d)
        try late.send(.timerFired(TaskKey("ok")!), at: 3600)
        #expect(late.finished == .failed && late.machine.failure?.error.code == "approval_timeout")

        var rejected = try Driver(d)
        try rejected.send(.approvalDecided(TaskKey("ok")!, approved: false, by: "bob", comment: "no"), at: 5)
        #expect(rejected.finished == .failed && rejected.machine.failure?.error.code == "rejected")
    }

    @Test func cancellationStopsInFlightWork() throws {
        var run = try Driver(try definition(diamond))
        try run.send(.cancelRequested(by: "me", reason: "test"), at: 1)
        #expect(run.finished == .cancelled)
        try run.succeed("a")
        #expect(run.executed.count == 1, "a late result starts nothing")
        #expect(throws: NovaError.self) { try run.send(.cancelRequested(by: "me", reason: "again"), at: 2) }
    }

    @Test func theDeadlineFailsTheRunAndCompensates() throws {
        var run = try Driver(
            try definition(
                """
                name: late
                deadline: 10s
                steps:
                  - {name: a, action: noop, compensate: {action: undo}}
                  - {name: b, action: noop, dependsOn: [a]}
                """))
        try run.succeed("a")
        try run.send(.deadlineExceeded, at: 11)
        #expect(run.executed.last?.key.description == "undo:a")
        try run.succeed("undo:a")
        #expect(run.finished == .compensated && run.machine.failure?.error.code == "deadline_exceeded")
    }

    @Test func replayingHistoryRebuildsTheSameStateAndResumesInFlightWork() throws {
        var run = try Driver(try definition(diamond))
        var history: [(RunEvent, Double)] = [(.started(inputs: .emptyObject), 0)]
        let a = RunEvent.taskSucceeded(TaskKey("a")!, attempt: 1, output: ["v": 1])
        try run.send(a, at: 1); history.append((a, 1))
        let b = RunEvent.taskSucceeded(TaskKey("b")!, attempt: 1, output: [:])
        try run.send(b, at: 2); history.append((b, 2))

        var replayed = RunStateMachine(definition: try definition(diamond), runID: "run-1", seed: 7)
        for (event, time) in history { _ = try replayed.apply(RunEvent(value: event.value), at: time) }
        #expect(replayed.taskPhases.map(\.phase) == run.machine.taskPhases.map(\.phase))
        let resumed = replayed.resumptionActions()
        #expect(resumed == [.execute(TaskRequest(run: "run-1", key: TaskKey("c")!, action: "noop", input: .emptyObject, attempt: 1))])
    }

    @Test func criticalPathOrderPrefersTheLongestRemainingChain() throws {
        let d = try definition(
            """
            name: cp
            concurrency: 1
            steps:
              - {name: short, action: noop}
              - {name: long1, action: noop}
              - {name: long2, action: noop, dependsOn: [long1]}
            """)
        let fifo = try Driver(d)
        #expect(fifo.executed.map(\.key.description) == ["short"])
        let ordered = try Driver(d, priorities: [1, 2, 1])
        #expect(ordered.executed.map(\.key.description) == ["long1"])
    }
}

import Foundation
import NovaCore
import Testing

@testable import Workflow

/// A trigger source the test feeds by hand.
final class FakeTriggers: TriggerSource {
    let stream: AsyncStream<Value>
    let continuation: AsyncStream<Value>.Continuation
    init() { (stream, continuation) = AsyncStream.makeStream() }
    func triggerEvents() -> any AsyncSequence<Value, Never> & Sendable { stream }
}

@Suite struct SchedulerTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    func make(
        _ clock: ManualClock, store: InMemoryWorkflowStore = InMemoryWorkflowStore(), schedules: InMemoryScheduleStore = InMemoryScheduleStore(),
        triggers: FakeTriggers? = nil
    ) async throws -> (WorkflowEngine, WorkflowScheduler) {
        let engine = WorkflowEngine(store: store, actions: [NoopAction()], clock: clock)
        try await engine.register(try Value(yaml: "name: quick\nsteps: [{name: a, action: noop}]"))
        try await engine.register(
            try Value(
                yaml: """
                    name: gated
                    inputs: {event: {default: null}}
                    steps: [{name: ok, action: approval}]
                    """))
        return (engine, WorkflowScheduler(engine: engine, store: schedules, clock: clock, triggers: triggers))
    }

    func runIDs(_ engine: WorkflowEngine, _ workflow: String) async throws -> [String] {
        try await engine.store.runs(workflow: workflow, status: nil, limit: 100).map(\.id).sorted()
    }

    @Test func firesEachSlotOnceEvenAfterARestart() async throws {
        let clock = ManualClock(start)
        let store = InMemoryWorkflowStore(), schedules = InMemoryScheduleStore()
        let (engine, scheduler) = try await make(clock, store: store, schedules: schedules)
        try await scheduler.apply(try Value(yaml: "name: every-minute\nworkflow: quick\ncron: '* * * * *'\noverlap: allowAll"))
        clock.advance(by: 180)
        await scheduler.fireDueSlots()
        #expect(try await runIDs(engine, "quick") == ["every-minute-1767225660", "every-minute-1767225720", "every-minute-1767225780"])

        // A restart that lost the record of the last slots must not fire them again.
        try await schedules.updateScheduleState(named: "every-minute", ScheduleState(lastSlot: start))
        let restarted = WorkflowScheduler(engine: engine, store: schedules, clock: clock)
        await restarted.fireDueSlots()
        try await restarted.load()
        await restarted.fireDueSlots()
        #expect(try await runIDs(engine, "quick").count == 3)
    }

    @Test func catchUpRunsOnlyMissedSlotsInsideTheWindow() async throws {
        let clock = ManualClock(start)
        let schedules = InMemoryScheduleStore()
        let (engine, scheduler) = try await make(clock, schedules: schedules)
        try await scheduler.apply(try Value(yaml: "name: half-hourly\nworkflow: quick\ncron: '*/30 * * * *'\ncatchupWindow: 1h\noverlap: allowAll"))
        clock.advance(by: 3 * 3600 + 60)  // down for three hours
        let restarted = WorkflowScheduler(engine: engine, store: schedules, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await restarted.run() }
            while try await runIDs(engine, "quick").count < 2 { try await Task.sleep(for: .milliseconds(5)) }
            group.cancelAll()
        }
        #expect(try await runIDs(engine, "quick") == ["half-hourly-1767234600", "half-hourly-1767236400"], "02:30 and 03:00, not 00:30–02:00")
    }

    @Test(arguments: [Schedule.Overlap.skip, .bufferOne, .bufferAll, .cancelOther, .allowAll])
    func overlapPolicies(policy: Schedule.Overlap) async throws {
        let clock = ManualClock(start)
        let (engine, scheduler) = try await make(clock)
        try await scheduler.apply(try Value(yaml: "name: gate\nworkflow: gated\ncron: '* * * * *'\noverlap: \(policy.rawValue)"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            for _ in 0..<3 {
                clock.advance(by: 60)
                await scheduler.fireDueSlots()
            }
            let runs = try await engine.store.runs(workflow: "gated", status: nil, limit: 10).sorted { $0.id < $1.id }
            let buffered = try await scheduler.describe("gate")["buffered"]?.arrayValue?.count ?? 0
            switch policy {
            case .skip:
                #expect(runs.count == 1 && buffered == 0)
                #expect(await scheduler.skipped["gate"] == 2)
            case .bufferOne:
                #expect(runs.count == 1 && buffered == 1)
            case .bufferAll:
                #expect(runs.count == 1 && buffered == 2)
            case .cancelOther:
                #expect(runs.count == 3)
                for _ in 0..<200 where try await engine.store.runs(workflow: "gated", status: .cancelled, limit: 10).count < 2 {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(try await engine.store.runs(workflow: "gated", status: .cancelled, limit: 10).count == 2)
            case .allowAll:
                #expect(runs.count == 3)
            }
            if policy == .bufferOne || policy == .bufferAll {
                while try await engine.describe(runs[0].id)["tasks"]?.arrayValue?.first?["state"] != "awaiting_approval" {
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await engine.decide(runs[0].id, task: TaskKey("ok")!, approve: true, by: "t", roles: ["admin"])
                _ = try await engine.waitForEnd(of: runs[0].id)
                await scheduler.fireDueSlots()
                #expect(try await engine.store.runs(workflow: "gated", status: nil, limit: 10).count == 2, "the buffered slot starts")
            }
            group.cancelAll()
        }
    }

    @Test func pausedSchedulesDoNotFireAndDoNotCatchUp() async throws {
        let clock = ManualClock(start)
        let (engine, scheduler) = try await make(clock)
        try await scheduler.apply(try Value(yaml: "name: p\nworkflow: quick\ncron: '* * * * *'\noverlap: allowAll"))
        try await scheduler.setPaused("p", true)
        clock.advance(by: 300)
        await scheduler.fireDueSlots()
        try await scheduler.setPaused("p", false)
        await scheduler.fireDueSlots()
        #expect(try await runIDs(engine, "quick").isEmpty)
        clock.advance(by: 60)
        await scheduler.fireDueSlots()
        #expect(try await runIDs(engine, "quick").count == 1)
    }

    @Test func backfillStartsEverySlotOfARangeOnce() async throws {
        let clock = ManualClock(start)
        let (engine, scheduler) = try await make(clock)
        try await scheduler.apply(try Value(yaml: "name: hourly\nworkflow: quick\ncron: '0 * * * *'\noverlap: allowAll"))
        let from = start.addingTimeInterval(-6 * 3600), to = start.addingTimeInterval(-3 * 3600)
        let first = try await scheduler.backfill("hourly", from: from, through: to)
        #expect(first.count == 4, "18:00, 19:00, 20:00 and 21:00: both ends included")
        #expect(try await scheduler.backfill("hourly", from: from, through: to).isEmpty)
        #expect(try await runIDs(engine, "quick").count == 4)
    }

    @Test func eventsStartRunsWithTheEventAsInput() async throws {
        let clock = ManualClock(start)
        let triggers = FakeTriggers()
        let (engine, scheduler) = try await make(clock, triggers: triggers)
        try await scheduler.apply(try Value(yaml: "name: on-failure\nworkflow: gated\non: {type: status, kind: VM, phase: failed}\noverlap: allowAll"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run() }
            triggers.continuation.yield(["sequence": 7, "type": "status", "kind": "VM", "name": "web", "phase": "running"])
            triggers.continuation.yield(["sequence": 8, "type": "status", "kind": "VM", "name": "web", "phase": "failed"])
            while try await runIDs(engine, "gated").isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            group.cancelAll()
        }
        let runs = try await engine.store.runs(workflow: "gated", status: nil, limit: 10)
        #expect(runs.map(\.id) == ["on-failure-event-8"])
        #expect(runs.first?.inputs["event"]?["name"] == "web")
    }

    @Test func badSchedulesAreRefusedWithTheirProblems() async throws {
        let (_, scheduler) = try await make(ManualClock(start))
        await #expect(throws: NovaError.self) { try await scheduler.apply(try Value(yaml: "name: x\nworkflow: quick\ncron: '* * *'")) }
        await #expect(throws: NovaError.self) { try await scheduler.apply(try Value(yaml: "name: x\nworkflow: ghost\ncron: '* * * * *'")) }
        await #expect(throws: NovaError.self) {
            try await scheduler.apply(try Value(yaml: "name: x\nworkflow: quick\ncron: '* * * * *'\non: {kind: VM}"))
        }
        await #expect(throws: NovaError.self) {
            try await scheduler.apply(try Value(yaml: "name: x\nworkflow: quick\ncron: '0 9 * * *'\ntimezone: Nowhere/City"))
        }
    }

    @Test func aScheduleHoldsItsRunsToItsOwnSLA() async throws {
        let clock = ManualClock(start)
        let (engine, scheduler) = try await make(clock)
        try await scheduler.apply(try Value(yaml: "name: strict\nworkflow: gated\ncron: '* * * * *'\nsla: 100ms"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            clock.advance(by: 60)
            await scheduler.fireDueSlots()
            let id = try #require(try await runIDs(engine, "gated").first)
            // The clocks run on real time from the run's start (the manual clock says when that was).
            clock.set(Date())
            for _ in 0..<300 where !(try await engine.store.history(run: id).contains { $0.event == .slaBreached }) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await engine.store.history(run: id).contains { $0.event == .slaBreached })
            group.cancelAll()
        }
    }
}

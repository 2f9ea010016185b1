import Foundation
import NovaCore
import NovaCronTesting
import Persistence
import Synchronization
import Testing
import Workflow

@Suite struct SQLiteWorkflowStoreTests {
    func makeStore(durability: SQLiteStore.Durability = .process) throws -> (SQLiteStore, String) {
        let directory = try ScratchDirectory.make("wf").path
        let path = directory + "/novacron.sqlite"
        return (try SQLiteStore(path: path, durability: durability), path)
    }

    func run<T: Sendable>(_ engine: WorkflowEngine, _ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await engine.run(); return nil
            }
            let result = try await body()
            group.cancelAll()
            return result
        }
    }

    let chain = """
        name: chain
        steps:
          - {name: a, action: noop, inputs: {n: 1}}
          - {name: b, action: noop, dependsOn: [a], inputs: {n: "${steps.a.output.n}"}}
          - {name: c, action: noop, dependsOn: [b]}
        outputs: {n: "${steps.b.output.n}"}
        """

    @Test func definitionsAreVersionedAndIdenticalOnesKeepTheirVersion() async throws {
        let (store, path) = try makeStore()
        let engine = WorkflowEngine(store: store)
        #expect(try await engine.register(try Value(yaml: chain)).definition.version == 1)
        #expect(try await engine.register(try Value(yaml: chain)).created == false)
        let changed = chain.replacingOccurrences(of: "n: 1", with: "n: 2")
        #expect(try await engine.register(try Value(yaml: changed)).definition.version == 2)
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.definition(named: "chain", version: 1)?.steps[0].inputs == ["n": 1])
        #expect(try await reopened.definition(named: "chain", version: nil)?.version == 2)
        #expect(try await reopened.definitions().map(\.name) == ["chain"])
    }

    @Test func runsCheckpointsAndHistorySurviveReopening() async throws {
        let (store, path) = try makeStore()
        let engine = WorkflowEngine(store: store)
        try await engine.register(try Value(yaml: chain))
        let record = try await run(engine) { try await engine.waitForEnd(of: try await engine.start("chain", by: "tester").id) }
        #expect(record.status == .succeeded && record.output == ["n": 1])
        let reopened = try SQLiteStore(path: path)
        let stored = try #require(try await reopened.run(id: record.id))
        #expect(stored.value == record.value, "equal to the millisecond")
        #expect(try await reopened.checkpoints(run: record.id).map(\.task.description) == ["a", "b", "c"])
        #expect(try await reopened.history(run: record.id).map(\.event.typeName) == ["started", "task_succeeded", "task_succeeded", "task_succeeded"])
        #expect(try await reopened.runs(workflow: "chain", status: .succeeded, limit: 10).map(\.id) == [record.id])
        #expect(try await reopened.unfinishedRuns().isEmpty)
        #expect(try await reopened.stepDurations(workflow: "chain").keys.sorted() == ["a", "b", "c"])
    }

    @Test(arguments: [SQLiteStore.Durability.process, .power])
    func manyConcurrentRunsShareTransactions(durability: SQLiteStore.Durability) async throws {
        let (store, _) = try makeStore(durability: durability)
        let engine = WorkflowEngine(store: store)
        try await engine.register(try Value(yaml: chain))
        let statuses = try await run(engine) {
            try await withThrowingTaskGroup(of: RunStatus.self) { group in
                for _ in 0..<200 { group.addTask { try await engine.waitForEnd(of: try await engine.start("chain").id).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == .succeeded })
        #expect(try await store.runs(workflow: "chain", status: .succeeded, limit: 1000).count == 200)
    }

    @Test func anUnfinishedRunResumesFromTheDatabase() async throws {
        let (store, path) = try makeStore()
        let engine = WorkflowEngine(store: store)
        try await engine.register(
            try Value(
                yaml: """
                    name: gated
                    steps:
                      - {name: a, action: noop}
                      - {name: wait, action: approval, dependsOn: [a]}
                      - {name: b, action: noop, dependsOn: [wait]}
                    """))
        let id = try await run(engine) {
            let run = try await engine.start("gated")
            while try await store.checkpoints(run: run.id).isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            return run.id
        }
        let reopened = try SQLiteStore(path: path)
        let restarted = WorkflowEngine(store: reopened)
        let record = try await run(restarted) {
            while true {
                do {
                    try await restarted.decide(id, task: TaskKey("wait")!, approve: true, by: "ops", roles: ["admin"])
                    break
                } catch let error as NovaError where error.code == .conflict {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            return try await restarted.waitForEnd(of: id)
        }
        #expect(record.status == .succeeded)
        #expect(try await reopened.history(run: id).map(\.event.typeName) == ["started", "task_succeeded", "resumed", "approval_decided", "task_succeeded"])
    }

    @Test func compactionDropsOnlyTheHistoryOfFinishedRuns() async throws {
        let (store, _) = try makeStore()
        let engine = WorkflowEngine(store: store)
        try await engine.register(try Value(yaml: chain))
        try await engine.register(try Value(yaml: "name: waiting\nsteps: [{name: ok, action: approval}]"))
        let (done, waiting) = try await run(engine) {
            let done = try await engine.waitForEnd(of: try await engine.start("chain").id)
            return (done, try await engine.start("waiting"))
        }
        #expect(try await store.compactHistory(ofRunsEndedBefore: Date().addingTimeInterval(60)) == 1)
        #expect(try await store.history(run: done.id).isEmpty)
        #expect(try await store.checkpoints(run: done.id).count == 3)
        #expect(try await store.run(id: done.id)?.status == .succeeded)
        #expect(try await store.history(run: waiting.id).count == 1, "a run still going keeps its history")
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import NovaCore
import Synchronization
import Testing
import Workflow

/// SLA warnings reach a real webhook over HTTP.
@Suite struct WorkflowSLATests {
    @Test func aRunPastItsSLARaisesEventsAMetricAndANotification() async throws {
        let received = Mutex<[Value]>([])
        let router = Router()
        router.post("/hook") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            received.withLock { $0.append((try? Value(json: String(buffer: body))) ?? .null) }
            return .ok
        }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            let engine = WorkflowEngine(store: InMemoryWorkflowStore())
            try await engine.register(
                try Value(
                    yaml: """
                        name: slow
                        sla: 200ms
                        slaNotify: http://127.0.0.1:\(port)/hook
                        steps: [{name: wait, action: approval}]
                        """))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await engine.run() }
                let run = try await engine.start("slow")
                for _ in 0..<300 where received.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
                let history = try await engine.store.history(run: run.id).map(\.event.typeName)
                #expect(history.contains("sla_at_risk") && history.contains("sla_breached"))
                #expect(engine.metrics.snapshot.slaBreached == 1 && engine.metrics.snapshot.slaAtRisk == 1)
                group.cancelAll()
            }
            let posts = received.withLock { $0 }
            #expect(posts.compactMap { $0["payload"]?["level"]?.stringValue }.sorted() == ["at_risk", "breached"])
            #expect(posts.first?["text"]?.stringValue?.contains("SLA") == true)
        }
    }
}

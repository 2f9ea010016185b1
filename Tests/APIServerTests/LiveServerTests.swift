import APIServer
import ControlPlane
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import NovaCore
import NovaCronClient
import NovaCronTesting
import Testing

/// Against a real server on a loopback port it picked, over real HTTP.
@Suite struct LiveServerTests {
    @Test func clientAppliesReadsAndReconciles() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient(.live) { client in
            let port = try #require(client.port)
            let api = NovaCronClient(baseURL: "http://127.0.0.1:\(port)", apiKey: harness.adminKey)
            let documents = [Fixtures.networkDocument("n"), Fixtures.vmDocument("a", networks: ["n"])]
            let reply = try await api.send(.POST, "/v1/apply", json: ["items": .array(documents)])
            #expect(reply.body?["results"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["created", "created"])
            await harness.environment.converge()
            let vm = try await api.send(.GET, "/v1/vms/a").body
            #expect(vm?["status"]?["phase"] == "running")
            await #expect {
                try await NovaCronClient(baseURL: "http://127.0.0.1:\(port)", apiKey: harness.viewerKey).send(.DELETE, "/v1/vms/a")
            } throws: { ($0 as? NovaError)?.code == .forbidden }
        }
    }

    @Test func eventsStreamWhileWritesHappen() async throws {
        let harness = try await APIHarness.make()
        try await harness.environment.apply([Fixtures.vmDocument("before")])
        try await harness.withClient(.live) { client in
            let port = try #require(client.port)
            let api = NovaCronClient(baseURL: "http://127.0.0.1:\(port)", apiKey: harness.viewerKey)
            let streamed = try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var seen: [String] = []
                    do {
                        // A long window: the stream ends as soon as three events came; a busy machine may take
                        // a while to run the writer.
                        try await api.stream("/v1/events?watch=true&after=0&timeoutSeconds=30") { event in
                            seen.append(event["name"]?.stringValue ?? "")
                            if seen.count == 3 { throw Enough() }
                        }
                    } catch is Enough {}
                    return seen
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(300))
                    try await harness.environment.apply([Fixtures.vmDocument("during-1"), Fixtures.vmDocument("during-2")])
                    return []
                }
                var collected: [String] = []
                for try await result in group { collected += result }
                return collected
            }
            // The backlog first, then what happened while the stream was open, in order.
            #expect(streamed == ["before", "during-1", "during-2"])
        }
    }

    struct Enough: Error {}

    @Test func unreachableServerIsAClearError() async throws {
        let api = NovaCronClient(baseURL: "http://127.0.0.1:1", apiKey: nil, timeout: .seconds(1))
        await #expect {
            try await api.send(.GET, "/healthz")
        } throws: { ($0 as? NovaError)?.code == .unavailable && "\($0)".contains("novacron serve") }
    }
}

import APIServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NovaCore
import NovaCronTesting
import Testing

@Suite struct OpenAPITests {
    @Test func documentAndRouterDescribeTheSameRoutes() async throws {
        let harness = try await APIHarness.make()
        let router = harness.server.makeRouter()
        let routed = Set(router.routes.map { "\($0.method.rawValue.lowercased()) \(openAPIPath($0.path.description))" })
        let document = harness.server.openAPIDocument
        var documented: Set<String> = []
        for (path, operations) in document["paths"]?.sortedStringFields ?? [] {
            for (method, _) in operations.sortedStringFields { documented.insert("\(method) \(path)") }
        }
        #expect(!routed.isEmpty)
        #expect(routed == documented)
        #expect(document["openapi"] == "3.1.0")
    }

    @Test func servedDocumentIsPublicAndComplete() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(.get, "/openapi.json", key: nil)
            #expect(reply.status == 200)
            let paths = reply.body?["paths"]?.objectValue?.count ?? 0
            #expect(paths > 20)
            #expect(reply.body?["paths"]?["/v1/vms/{name}"]?["put"]?["requestBody"] != nil)
            // Every $ref points at a schema the document defines.
            let text = reply.body?.canonicalJSON ?? ""
            let schemas = Set(reply.body?["components"]?["schemas"]?.sortedStringFields.map(\.key) ?? [])
            let references = text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(!references.isEmpty)
            #expect(Set(references).isSubset(of: schemas))
        }
    }

    @Test func metricsCountRequestsAndResources() async throws {
        let harness = try await APIHarness.make()
        try await harness.environment.apply([Fixtures.vmDocument("a"), Fixtures.networkDocument("n")])
        await harness.environment.converge()
        try await harness.withClient { client in
            _ = try await client.call(.get, "/v1/vms", key: harness.viewerKey)
            _ = try await client.call(.get, "/v1/vms/a", key: harness.viewerKey)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains(#"novacron_http_requests_total{method="GET",route="/v1/vms",status="200"} 1"#))
            #expect(text.contains(#"novacron_http_requests_total{method="GET",route="/v1/vms/{name}",status="200"} 1"#))
            #expect(text.contains(#"novacron_resources{kind="VM",phase="running"} 1"#))
            #expect(text.contains(#"novacron_resources{kind="Network",phase="ready"} 1"#))
            #expect(text.contains("novacron_http_request_duration_seconds_bucket"))
            #expect(text.contains("novacron_reconcile_passes_total"))
        }
    }

    private func openAPIPath(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}

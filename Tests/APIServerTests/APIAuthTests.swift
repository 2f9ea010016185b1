import ControlPlane
import Foundation
import HTTPTypes
import HummingbirdTesting
import NovaCore
import NovaCronTesting
import Testing

@Suite struct APIAuthTests {
    @Test func noKeyIs401() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(.get, "/v1/vms", key: nil)
            #expect(reply.status == 401)
            #expect(reply.body?["error"]?["code"] == "unauthenticated")
            #expect(reply.headers[.wwwAuthenticate] != nil)
            #expect(try await client.call(.get, "/v1/vms", key: "nck_000000000000_forged").status == 401)
            #expect(try await client.call(.get, "/healthz", key: nil).status == 200)
        }
    }

    @Test func viewerWritingIs403AndAudited() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(.post, "/v1/vms", key: harness.viewerKey, json: Fixtures.vmDocument("a"))
            #expect(reply.status == 403)
            #expect(reply.body?["error"]?["code"] == "forbidden")
            #expect(try await client.call(.get, "/v1/vms", key: harness.viewerKey).status == 200)
        }
        let last = try #require(try await harness.environment.store.entries(after: 0, limit: 100).last)
        #expect(last.record.outcome == .denied)
        #expect(last.record.actor == "apikey:dash")
        #expect(try await harness.environment.store.resource(.vm, named: "a") == nil)
    }

    @Test func adminAndOperatorWrite() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let created = try await client.call(.post, "/v1/vms", key: harness.operatorKey, json: Fixtures.vmDocument("a"))
            #expect(created.status == 201)
            #expect(created.body?["metadata"]?["resourceVersion"] == "1")
            #expect(try await client.call(.get, "/v1/vms/a", key: harness.viewerKey).status == 200)
            #expect(try await client.call(.delete, "/v1/vms/a", key: harness.adminKey).status == 200)
            // Operators cannot mint keys; admins can, and the secret is shown once.
            #expect(try await client.call(.post, "/v1/apikeys", key: harness.operatorKey, json: ["name": "x", "role": "viewer"]).status == 403)
            let key = try await client.call(.post, "/v1/apikeys", key: harness.adminKey, json: ["name": "x", "role": "viewer"])
            #expect(key.status == 201)
            let secret = try #require(key.body?["key"]?.stringValue)
            #expect(try await client.call(.get, "/v1/vms", key: secret).status == 200)
            let listed = try await client.call(.get, "/v1/apikeys", key: harness.adminKey)
            #expect(!(listed.body?.canonicalJSON.contains(secret) ?? true))
            #expect(try await client.call(.delete, "/v1/apikeys/x", key: harness.adminKey).status == 200)
            #expect(try await client.call(.get, "/v1/vms", key: secret).status == 401)
        }
    }

    @Test func customRolesOverHTTP() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let role: Value = ["name": "net-ops", "rules": [["verbs": ["*"], "resources": ["networks"]]]]
            #expect(try await client.call(.post, "/v1/roles", key: harness.adminKey, json: role).status == 201)
            let key = try await client.call(.post, "/v1/apikeys", key: harness.adminKey, json: ["name": "n", "role": "net-ops"])
            let secret = try #require(key.body?["key"]?.stringValue)
            #expect(try await client.call(.post, "/v1/networks", key: secret, json: Fixtures.networkDocument("n")).status == 201)
            #expect(try await client.call(.post, "/v1/vms", key: secret, json: Fixtures.vmDocument("a")).status == 403)
            #expect(try await client.call(.delete, "/v1/roles/net-ops", key: harness.adminKey).status == 409)
        }
    }
}

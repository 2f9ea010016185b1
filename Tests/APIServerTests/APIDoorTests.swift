import ControlPlane
import Foundation
import HTTPTypes
import NovaCore
import NovaCronTesting
import Testing

/// Report routes show only kinds the caller may read; ownership is enforced over HTTP.
@Suite struct APIDoorTests {
    @Test func aPolicyViewerNeverSeesVMNamesInReports() async throws {
        let harness = try await APIHarness.make(policies: true)
        try await harness.withClient { client in
            let role: Value = [
                "name": "policy-viewer",
                "rules": [
                    ["verbs": ["get", "list", "watch"], "resources": ["policies", "violations", "events", "networks"]],
                    ["verbs": ["create"], "resources": ["rego"]],
                ],
            ]
            #expect(try await client.call(.post, "/v1/roles", key: harness.adminKey, json: role).status == 201)
            let key = try #require(
                try await client.call(
                    .post, "/v1/apikeys", key: harness.adminKey,
                    json: ["name": "pv", "role": "policy-viewer"]
                ).body?["key"]?.stringValue)
            #expect(try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("secret-vm", vcpus: 8)).status == 201)
            #expect(try await client.call(.post, "/v1/networks", key: harness.adminKey, json: Fixtures.networkDocument("wide")).status == 201)
            let everything: Value = [
                "kind": "Policy", "metadata": ["name": "all"],
                "spec": [
                    "enforcement": "audit", "kinds": ["VM", "Network"],
                    "rego": """
                    package all
                    deny contains "seen" if input.resource.metadata.name
                    """,
                ],
            ]
            let preview = try await client.call(.post, "/v1/policy/preview", key: key, json: everything)
            #expect(preview.status == 200)
            let names = preview.body?["violations"]?.arrayValue?.compactMap { $0["resource"]?["name"]?.stringValue } ?? []
            #expect(names == ["wide"])
            #expect(preview.body?["hiddenKinds"]?.arrayValue?.contains("VM") == true)
            let events = try await client.call(.get, "/v1/events?after=0", key: key)
            #expect(events.status == 200)
            let text = events.body?.canonicalJSON ?? ""
            #expect(!text.contains("secret-vm") && text.contains("wide"))
            // The admin's preview sees both.
            let full = try await client.call(.post, "/v1/policy/preview", key: harness.adminKey, json: everything)
            #expect(full.body?["violations"]?.arrayValue?.count == 2)
        }
    }

    @Test func managedElsewhereIs409AndForceTakesOver() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            #expect(
                try await client.call(
                    .post, "/v1/apply?managedBy=terraform", key: harness.operatorKey,
                    json: ["items": [Fixtures.vmDocument("web")]]
                ).status == 200)
            let refused = try await client.call(
                .post, "/v1/apply?managedBy=cli", key: harness.operatorKey,
                json: ["items": [Fixtures.vmDocument("web", vcpus: 4)]])
            #expect(refused.status == 409)
            #expect(refused.body?["error"]?["code"] == "managed_elsewhere")
            #expect(refused.body?["error"]?["message"]?.stringValue?.contains("terraform") == true)
            #expect(try await client.call(.delete, "/v1/vms/web?managedBy=cli", key: harness.operatorKey).status == 409)
            let forced = try await client.call(
                .post, "/v1/apply?managedBy=cli&force=true&reason=moving%20off%20terraform", key: harness.operatorKey,
                json: ["items": [Fixtures.vmDocument("web", vcpus: 4)]])
            #expect(forced.status == 200)
            let vm = try await client.call(.get, "/v1/vms/web", key: harness.viewerKey)
            #expect(vm.body?["metadata"]?["managedBy"] == "cli")
            let audit = try await client.call(.get, "/v1/audit?after=0&limit=1000", key: harness.adminKey)
            let takeovers = audit.body?["items"]?.arrayValue?.filter { $0["action"] == "takeover" } ?? []
            #expect(takeovers.first?["detail"] == "cli took VM/web over from terraform: moving off terraform")
        }
    }
}

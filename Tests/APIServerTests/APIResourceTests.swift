import ControlPlane
import Foundation
import HTTPTypes
import HummingbirdTesting
import NovaCore
import NovaCronTesting
import Testing

@Suite struct APIResourceTests {
    @Test func malformedJSONIs400WithAPositionAndNothingStored() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(
                .post, "/v1/vms", key: harness.adminKey, raw: "{\n  \"kind\": \"VM\",\n  \"metadata\": {\"name\": \"a\"}\n  \"spec\": {}\n}")
            #expect(reply.status == 400)
            #expect(reply.body?["error"]?["code"] == "invalid_json")
            #expect(reply.body?["error"]?["details"]?.arrayValue?.first?["location"]?["line"] == 4)
            #expect(reply.body?["error"]?["message"]?.stringValue?.contains("expected ',' or '}'") == true)
        }
        #expect(try await harness.environment.store.allResources().isEmpty)
    }

    @Test func malformedYAMLIs400WithAPosition() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(
                .post, "/v1/apply", key: harness.adminKey, raw: "kind: VM\nmetadata:\n  name: a\n  labels: [x\n",
                contentType: "application/yaml")
            #expect(reply.status == 400)
            #expect(reply.body?["error"]?["code"] == "invalid_yaml")
            #expect(reply.body?["error"]?["details"]?.arrayValue?.first?["location"]?["line"] != nil)
        }
        #expect(try await harness.environment.store.allResources().isEmpty)
    }

    @Test func invalidSpecIs422WithEveryProblem() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(
                .post, "/v1/vms", key: harness.adminKey,
                json: ["kind": "VM", "metadata": ["name": "a"], "spec": ["vcpus": 0, "memoryMiB": 64, "image": "i", "gpu": true]])
            #expect(reply.status == 422)
            #expect(reply.body?["error"]?["code"] == "validation_failed")
            let paths = Set(reply.body?["error"]?["details"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? [])
            #expect(paths == ["spec.vcpus", "spec.memoryMiB", "spec.gpu"])
        }
    }

    @Test func crudWithOptimisticConcurrency() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let key = harness.adminKey
            #expect(try await client.call(.post, "/v1/vms", key: key, json: Fixtures.vmDocument("a")).status == 201)
            #expect(try await client.call(.post, "/v1/vms", key: key, json: Fixtures.vmDocument("a")).status == 409)
            var document = try #require(try await client.call(.get, "/v1/vms/a", key: key).body)
            document = document.merging(patch: ["spec": ["vcpus": 3]])
            let replaced = try await client.call(.put, "/v1/vms/a", key: key, json: document)
            #expect(replaced.status == 200)
            #expect(replaced.body?["metadata"]?["resourceVersion"] == "2")
            // The same (now stale) document again: conflict, not overwrite.
            let stale = try await client.call(.put, "/v1/vms/a", key: key, json: document.merging(patch: ["spec": ["vcpus": 5]]))
            #expect(stale.status == 409)
            #expect(stale.body?["error"]?["code"] == "conflict")
            let patched = try await client.call(.patch, "/v1/vms/a", key: key, json: ["spec": ["memoryMiB": 4096]])
            #expect(patched.body?["spec"]?["memoryMiB"] == 4096)
            #expect(patched.body?["spec"]?["vcpus"] == 3)
            let history = try await client.call(.get, "/v1/vms/a/history", key: key)
            #expect(history.body?["items"]?.arrayValue?.count == 3)
            #expect(try await client.call(.get, "/v1/vms/missing", key: key).status == 404)
            #expect(try await client.call(.put, "/v1/vms/b", key: key, json: document).status == 400)
        }
    }

    @Test func listingFiltersAndPages() async throws {
        let harness = try await APIHarness.make()
        try await harness.environment.apply((1...5).map { Fixtures.vmDocument("vm-\($0)", labels: ["tier": $0 <= 3 ? "web" : "db"]) })
        try await harness.withClient { client in
            let first = try await client.call(.get, "/v1/vms?selector=tier%3Dweb&limit=2", key: harness.viewerKey)
            #expect(first.body?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["vm-1", "vm-2"])
            let cursor = try #require(first.body?["nextCursor"]?.stringValue)
            let second = try await client.call(.get, "/v1/vms?selector=tier%3Dweb&limit=2&cursor=\(cursor)", key: harness.viewerKey)
            #expect(second.body?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["vm-3"])
            #expect(second.body?["nextCursor"] == .null)
            #expect(try await client.call(.get, "/v1/vms?selector=bad%20key", key: harness.viewerKey).status == 400)
        }
    }

    @Test func applyABatchOfYAML() async throws {
        let harness = try await APIHarness.make()
        let yaml = """
            kind: Network
            metadata: {name: n}
            spec: {cidr: 10.1.0.0/16}
            ---
            kind: VM
            metadata: {name: a}
            spec: {vcpus: 1, memoryMiB: 512, image: i, networks: [{network: n}]}
            """
        try await harness.withClient { client in
            var reply = try await client.call(.post, "/v1/apply?dryRun=true", key: harness.adminKey, raw: yaml, contentType: "application/yaml")
            #expect(reply.body?["results"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["created", "created"])
            #expect(try await harness.environment.store.allResources().isEmpty)
            reply = try await client.call(.post, "/v1/apply", key: harness.adminKey, raw: yaml, contentType: "application/yaml")
            #expect(reply.status == 200)
            reply = try await client.call(.post, "/v1/apply", key: harness.adminKey, raw: yaml, contentType: "application/yaml")
            #expect(reply.body?["results"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["unchanged", "unchanged"])
        }
    }

    @Test func admissionWarningsAndDenialsOverHTTP() async throws {
        let harness = try await APIHarness.make(admission: [ProdEncryptionRule()])
        try await harness.withClient { client in
            let denied = try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("db", labels: ["env": "prod"]))
            #expect(denied.status == 403)
            #expect(denied.body?["error"]?["code"] == "admission_denied")
            #expect(denied.body?["error"]?["details"]?.arrayValue?.first?["message"] == "production VMs need encrypted disks")
            let warned = try await client.call(
                .post, "/v1/vms", key: harness.adminKey,
                json: Fixtures.vmDocument("a", extra: ["security": ["sshRootLogin": true]]))
            #expect(warned.status == 201)
            #expect(warned.headers[values: .init("Warning")!].first?.contains("SSH root login") == true)
        }
    }

    @Test func eventsAuditAndVerification() async throws {
        let harness = try await APIHarness.make()
        try await harness.environment.apply([Fixtures.vmDocument("a"), Fixtures.vmDocument("b")])
        try await harness.withClient { client in
            let events = try await client.call(.get, "/v1/events?after=1", key: harness.viewerKey)
            #expect(events.body?["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["b"])
            #expect(try await client.call(.get, "/v1/audit", key: harness.viewerKey).status == 403)
            let audit = try await client.call(.get, "/v1/audit", key: harness.adminKey)
            #expect((audit.body?["items"]?.arrayValue?.count ?? 0) >= 5)
            let verified = try await client.call(.get, "/v1/audit/verify", key: harness.adminKey)
            #expect(verified.body?["intact"] == true)
        }
        await harness.environment.store.tamper(sequence: 4) { $0.name = "c" }
        try await harness.withClient { client in
            let verified = try await client.call(.get, "/v1/audit/verify", key: harness.adminKey)
            #expect(verified.body?["intact"] == false)
            #expect(verified.body?["firstBrokenSequence"] == 4)
        }
    }

    @Test func unknownRoutesAnswerInJSON() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(.get, "/v1/nothing", key: harness.adminKey)
            #expect(reply.status == 404)
            #expect(reply.body?["error"]?["code"] == "route_not_found")
        }
    }
}

import APIServer
import ControlPlane
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NovaCore
import NovaCronTesting
import Policy
import Testing

/// Policies enforced at the one door, over HTTP: each mode, broken policies, rollback, preview,
/// the decision cache and log.
@Suite struct APIPolicyTests {
    static func policy(_ name: String, _ enforcement: String, limit: Int, kinds: [String] = ["VM"]) -> Value {
        Fixtures.limitsPolicy(name, enforcement, limit: limit, kinds: kinds)
    }

    static let owned = Fixtures.owned

    @Test func blockRefusesWithEveryMessageAndThePolicyVersion() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            #expect(try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("limits", "block", limit: 4)).status == 201)
            let refused = try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("big", vcpus: 8))
            #expect(refused.status == 403)
            let messages = refused.body?["error"]?["details"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages.sorted() == ["8 vCPUs is over the limit of 4 (policy limits v1)", "VMs need an owner label (policy limits v1)"])
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("small", vcpus: 2, labels: Self.owned)).status == 201)
            // Another writer through the same door (the control plane in code) is held to it too.
            await #expect(throws: NovaError.self) {
                _ = try await h.environment.controlPlane.create(Fixtures.resource(Fixtures.vmDocument("code", vcpus: 16)), as: Fixtures.admin)
            }
        }
    }

    @Test func warnAcceptsAndReturnsWarningsAuditOnlyRecords() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            #expect(try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("soft", "warn", limit: 4)).status == 201)
            #expect(try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("quiet", "audit", limit: 1)).status == 201)
            let accepted = try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("big", vcpus: 8, labels: Self.owned))
            #expect(accepted.status == 201)
            let warnings = accepted.headers[values: .init("Warning")!].joined(separator: "\n")
            #expect(warnings.contains("8 vCPUs is over the limit of 4 (policy soft v1)"))
            #expect(!warnings.contains("quiet"))
            let violations = try await client.call(.get, "/v1/violations?policy=quiet", key: h.viewerKey)
            let items = violations.body?["items"]?.arrayValue ?? []
            #expect(items.count == 1)
            #expect(items.first?["resource"]?["name"] == "big")
            #expect(items.first?["messages"]?.arrayValue?.first?["msg"] == "8 vCPUs is over the limit of 1")
            #expect(try await client.call(.get, "/v1/violations?resource=VM/big", key: h.viewerKey).body?["items"]?.arrayValue?.count == 2)
        }
    }

    @Test func aBrokenPolicyIsRefusedWithPositionsAndTheOldVersionStaysInForce() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            let created = try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("limits", "block", limit: 4))
            var broken = Self.policy("limits", "block", limit: 4)
            broken = broken.merging(patch: [
                "metadata": ["resourceVersion": created.body?["metadata"]?["resourceVersion"] ?? 1],
                "spec": ["rego": "package limits\ndeny contains msg if {\n  msg := 1 +\n}\n"],
            ])
            let refused = try await client.call(.put, "/v1/policies/limits", key: h.adminKey, json: broken)
            #expect(refused.status == 422)
            let detail = refused.body?["error"]?["details"]?.arrayValue?.first?["message"]?.stringValue ?? ""
            #expect(detail.contains("policy.rego:4:1: rego_parse_error"))
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("big", vcpus: 8, labels: Self.owned)).status == 403)
        }
    }

    @Test func rollbackMakesAnEarlierVersionCurrentAsANewVersion() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            let v1 = try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("limits", "block", limit: 4))
            let stricter = Self.policy("limits", "block", limit: 2).merging(patch: [
                "metadata": ["resourceVersion": v1.body?["metadata"]?["resourceVersion"] ?? 1]
            ])
            #expect(try await client.call(.put, "/v1/policies/limits", key: h.adminKey, json: stricter).status == 200)
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("three", vcpus: 3, labels: Self.owned)).status == 403)
            let rolled = try await client.call(.post, "/v1/policies/limits/rollback?version=1", key: h.adminKey)
            #expect(rolled.status == 200)
            #expect(rolled.body?["metadata"]?["resourceVersion"] == "3")
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("three", vcpus: 3, labels: Self.owned)).status == 201)
            let history = try await client.call(.get, "/v1/policies/limits/history", key: h.adminKey)
            #expect(history.body?["items"]?.arrayValue?.count == 3)
        }
    }

    @Test func previewListsExactlyTheResourcesThatWouldViolate() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            for (name, vcpus) in [("a", 2), ("b", 6), ("c", 8)] {
                #expect(
                    try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument(name, vcpus: vcpus, labels: Self.owned)).status == 201)
            }
            #expect(try await client.call(.post, "/v1/networks", key: h.adminKey, json: Fixtures.networkDocument("n")).status == 201)
            // Evaluating Rego a caller wrote is `create rego`, which admins hold.
            let preview = try await client.call(.post, "/v1/policy/preview", key: h.adminKey, json: Self.policy("limits", "block", limit: 4))
            #expect(preview.status == 200)
            let names = preview.body?["violations"]?.arrayValue?.compactMap { $0["resource"]?["name"]?.stringValue }.sorted()
            #expect(names == ["b", "c"])
            // Previewing enforces nothing.
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: Fixtures.vmDocument("d", vcpus: 9, labels: Self.owned)).status == 201)
        }
    }

    @Test func decisionsAreLoggedCachedAndTheCacheFollowsPolicyChanges() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { client in
            let v1 = try await client.call(.post, "/v1/policies", key: h.adminKey, json: Self.policy("limits", "block", limit: 4))
            let vm = Fixtures.vmDocument("big", vcpus: 8, labels: Self.owned)
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: vm).status == 403)
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: vm).status == 403)
            var log = try await client.call(.get, "/v1/policy/decisions", key: h.viewerKey).body?["items"]?.arrayValue ?? []
            #expect(log.map { $0["cached"] } == [false, true])
            #expect(log.allSatisfy { $0["result"] == "deny" && $0["version"] == 1 })
            #expect(log[0]["inputFingerprint"] == log[1]["inputFingerprint"])
            let relaxed = Self.policy("limits", "block", limit: 16).merging(patch: [
                "metadata": ["resourceVersion": v1.body?["metadata"]?["resourceVersion"] ?? 1]
            ])
            #expect(try await client.call(.put, "/v1/policies/limits", key: h.adminKey, json: relaxed).status == 200)
            #expect(try await client.call(.post, "/v1/vms", key: h.adminKey, json: vm).status == 201)
            log = try await client.call(.get, "/v1/policy/decisions", key: h.viewerKey).body?["items"]?.arrayValue ?? []
            #expect(log.last?["cached"] == false)
            #expect(log.last?["version"] == 2)
            #expect(log.last?["result"] == "allow")
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("novacron_policy_cache_hits_total 1"))
            #expect(metrics.contains("novacron_policy_cache_hit_ratio"))
            // Dry-run any input through the policies in force.
            let dry = try await client.call(
                .post, "/v1/policy/evaluate", key: h.adminKey,
                json: ["input": ["resource": ["metadata": ["labels": [:]], "spec": ["vcpus": 32]]]])
            #expect(dry.body?["decisions"]?.arrayValue?.first?["deny"]?.arrayValue?.count == 2)
        }
    }

    @Test func onlyAdminsWritePolicies() async throws {
        let h = try await APIHarness.make(policies: true)
        try await h.withClient { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.post, "/v1/policies", key: h.operatorKey, json: Self.policy("limits", "block", limit: 4)).status == 403)
            #expect(try await client.call(.get, "/v1/policies", key: h.viewerKey).status == 200)
        }
    }
}

/// Many writers while a policy is replaced: every decision names the version it used, and each
/// write's outcome is the one that version gives.
@Suite struct PolicyConcurrencyTests {
    @Test func everyDecisionNamesTheVersionItUsed() async throws {
        let h = try await APIHarness.make(policies: true)
        let cp = h.environment.controlPlane
        let strict = try cp.resources(from: [APIPolicyTests.policy("limits", "block", limit: 4)])[0]
        _ = try await cp.create(strict, as: Fixtures.admin)
        let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let vm = Fixtures.resource(Fixtures.vmDocument("vm-\(i)", vcpus: 6, labels: APIPolicyTests.owned))
                    do { _ = try await cp.create(vm, as: Fixtures.admin); return ("VM/vm-\(i)", true) } catch { return ("VM/vm-\(i)", false) }
                }
            }
            group.addTask {
                var relaxed = try cp.resources(from: [APIPolicyTests.policy("limits", "block", limit: 8)])[0]
                relaxed.metadata.resourceVersion = 1
                _ = try await cp.replace(relaxed, as: Fixtures.admin)
                return ("policy", true)
            }
            var results: [String: Bool] = [:]
            for try await (subject, accepted) in group { results[subject] = accepted }
            return results
        }
        let engine = try #require(h.server.policies)
        let log = try await engine.decisions(limit: 1_000).filter { $0.subject.hasPrefix("VM/") }
        let missing = Set((0..<40).map { "VM/vm-\($0)" }).subtracting(log.map(\.subject)).sorted()
        #expect(log.count == 40, "no decision logged for \(missing); their writes \(missing.map { outcomes[$0].map { $0 ? "succeeded" : "failed" } ?? "?" })")
        for entry in log {
            // Version 1 allows 4 vCPUs (these ask for 6); version 2 allows 8.
            #expect(entry.version == 1 || entry.version == 2)
            #expect(entry.result == (entry.version == 1 ? "deny" : "allow"), "\(entry.subject) v\(entry.version): \(entry.result)")
            #expect(outcomes[entry.subject] == (entry.version == 2), "\(entry.subject)")
        }
    }

    @Test func everyApplicablePolicyAnswersInItsOwnDecision() async throws {
        let h = try await APIHarness.make(policies: true)
        let cp = h.environment.controlPlane
        for i in 0..<24 {
            let document = APIPolicyTests.policy("limit-\(i)", "block", limit: i)
            var text = document["spec"]?["rego"]?.stringValue ?? ""
            text = text.replacingOccurrences(of: "package limits", with: "package limits.p\(i)")
            let spec = (document["spec"] ?? .emptyObject).setting("rego", to: .string(text))
            let policy = try cp.resources(from: [document.setting("spec", to: spec)])[0]
            _ = try await cp.create(policy, as: Fixtures.admin)
        }
        let vm = Fixtures.resource(Fixtures.vmDocument("wide", vcpus: 12, labels: APIPolicyTests.owned))
        do {
            _ = try await cp.create(vm, as: Fixtures.admin)
            Issue.record("a 12-vCPU VM passed 12 policies with lower limits")
        } catch let error as NovaError {
            let messages = Set(error.diagnostics.map(\.message))
            #expect(messages.count == 12, "\(messages)")
            for limit in 0..<12 { #expect(messages.contains { $0.contains("over the limit of \(limit) ") }) }
        }
        let engine = try #require(h.server.policies)
        let log = try await engine.decisions(limit: 100).filter { $0.subject == "VM/wide" }
        #expect(log.count == 24)
        #expect(log.filter { $0.result == "deny" }.count == 12)
    }
}

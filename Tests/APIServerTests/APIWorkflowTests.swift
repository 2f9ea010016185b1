import APIServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NovaCore
import NovaCronTesting
import Testing

@Suite struct APIWorkflowTests {
    func waitForEnd(_ client: any TestClientProtocol, _ id: String, key: String) async throws -> Value {
        for _ in 0..<500 {
            let state = try await client.call(.get, "/v1/runs/\(id)", key: key).body ?? .null
            if let status = state["run"]?["status"]?.stringValue, status != "running", status != "compensating" { return state }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("run \(id) did not end")
        return .null
    }

    @Test func anInvalidDefinitionIsRefusedWithEveryProblem() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(
                .post, "/v1/workflows", key: harness.adminKey,
                raw: """
                    name: bad
                    steps:
                      - {name: a, action: noop, dependsOn: [b]}
                      - {name: b, action: teleport, dependsOn: [a]}
                    """, contentType: "application/yaml")
            #expect(reply.status == 422)
            #expect(reply.body?["error"]?["code"] == "validation_failed")
            let codes = reply.body?["error"]?["details"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
            #expect(codes.contains("unknown_action") && codes.contains("cyclic_dependency"))
            let yamlError = try await client.call(.post, "/v1/workflows", key: harness.adminKey, raw: "name: [unclosed", contentType: "application/yaml")
            #expect(
                yamlError.status == 400 && yamlError.body?["error"]?["details"]?.arrayValue?.first?["location"]?["line"]?.intValue != nil,
                "\(yamlError.body ?? .null)")
        }
    }

    @Test func aRunWritesResourcesThroughTheOneDoorAndWaitsForApproval() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let registered = try await client.call(
                .post, "/v1/workflows", key: harness.operatorKey,
                raw: """
                    name: provision
                    inputs: {net: {required: true}}
                    steps:
                      - name: network
                        action: resource.apply
                        inputs: {document: {kind: Network, metadata: {name: "${inputs.net}"}, spec: {cidr: 10.1.0.0/24}}}
                        compensate: {action: resource.delete, inputs: {kind: Network, name: "${inputs.net}"}}
                      - {name: confirm, action: approval, dependsOn: [network], inputs: {role: operator, message: keep it?}}
                    """, contentType: "application/yaml")
            #expect(registered.status == 201 && registered.body?["version"] == 1)
            let missing = try await client.call(.post, "/v1/workflows/provision/runs", key: harness.operatorKey, json: [:])
            #expect(missing.status == 422)
            #expect(try await client.call(.post, "/v1/workflows/provision/runs", key: harness.viewerKey, json: ["inputs": ["net": "x"]]).status == 403)
            let started = try await client.call(.post, "/v1/workflows/provision/runs", key: harness.operatorKey, json: ["inputs": ["net": "wf-net"]])
            #expect(started.status == 201)
            let id = try #require(started.body?["id"]?.stringValue)
            var state: Value = .null
            for _ in 0..<200 {
                state = try await client.call(.get, "/v1/runs/\(id)", key: harness.viewerKey).body ?? .null
                if state["tasks"]?.arrayValue?.contains(where: { $0["state"] == "awaiting_approval" }) == true { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(state["tasks"]?.arrayValue?.last?["approval"]?["message"] == "keep it?")
            let network = try await client.call(.get, "/v1/networks/wf-net", key: harness.viewerKey)
            #expect(network.status == 200 && network.body?["metadata"]?["managedBy"] == "workflow:provision", "the workflow owns what it made")
            #expect(try await client.call(.post, "/v1/runs/\(id)/reject", key: harness.viewerKey, json: ["task": "confirm"]).status == 403)
            #expect(try await client.call(.post, "/v1/runs/\(id)/reject", key: harness.operatorKey, json: ["task": "network"]).status == 409)
            #expect(try await client.call(.post, "/v1/runs/\(id)/reject", key: harness.operatorKey, json: ["task": "confirm", "comment": "no"]).status == 202)
            let ended = try await waitForEnd(client, id, key: harness.viewerKey)
            #expect(ended["run"]?["status"] == "compensated", "rejecting undoes the network")
            #expect(try await client.call(.get, "/v1/networks/wf-net", key: harness.viewerKey).status == 404)
            let history = try await client.call(.get, "/v1/runs/\(id)/history", key: harness.viewerKey).body?["items"]?.arrayValue ?? []
            #expect(history.compactMap { $0["type"]?.stringValue } == ["started", "task_succeeded", "approval_decided", "task_succeeded"])
            let audit = try await client.call(.get, "/v1/audit", key: harness.adminKey).body?["items"]?.arrayValue ?? []
            #expect(audit.contains { $0["actor"]?.stringValue?.hasPrefix("workflow:") == true })
            let runs = try await client.call(.get, "/v1/runs?workflow=provision&status=compensated", key: harness.viewerKey).body?["items"]?.arrayValue
            #expect(runs?.count == 1)
            #expect(try await client.call(.post, "/v1/runs/\(id)/cancel", key: harness.operatorKey, json: [:]).status == 409)
        }
    }

    @Test func httpRequestsReachARealServer() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient(.live) { client in
            let port = try #require(client.port)
            let registered = try await client.call(
                .post, "/v1/workflows", key: harness.adminKey,
                json: [
                    "name": "probe",
                    "steps": [
                        ["name": "health", "action": "http.request", "inputs": ["url": .string("http://127.0.0.1:\(port)/healthz")]],
                        [
                            "name": "missing", "action": "http.request", "dependsOn": ["health"], "retry": ["maxAttempts": 3, "initialInterval": "5ms"],
                            "inputs": ["url": .string("http://127.0.0.1:\(port)/nowhere")],
                        ],
                    ],
                ])
            #expect(registered.status == 201)
            let id = try #require(try await client.call(.post, "/v1/workflows/probe/runs", key: harness.adminKey).body?["id"]?.stringValue)
            let ended = try await waitForEnd(client, id, key: harness.adminKey)
            #expect(ended["run"]?["status"] == "failed")
            #expect(ended["run"]?["error"]?["code"] == "http_status")
            let tasks = ended["tasks"]?.arrayValue ?? []
            #expect(tasks.first { $0["task"] == "health" }?["output"]?["status"] == 200)
            #expect(tasks.first { $0["task"] == "missing" }?["attempt"] == 1, "a 404 is not retried")
            let metrics = try await client.call(.get, "/metrics", key: nil)
            _ = metrics
        }
    }
}

@Suite struct APIScheduleTests {
    @Test func schedulesOverHTTP() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let key = harness.operatorKey
            #expect(try await client.call(.post, "/v1/workflows", key: key, json: ["name": "tick", "steps": [["name": "a", "action": "noop"]]]).status == 201)
            let bad = try await client.call(
                .post, "/v1/schedules", key: key, raw: "name: t\nworkflow: tick\ncron: '99 * * * *'", contentType: "application/yaml")
            #expect(bad.status == 422 && bad.body?["error"]?["details"]?.arrayValue?.first?["path"] == "cron")
            let applied = try await client.call(
                .post, "/v1/schedules", key: key,
                raw: """
                    name: nightly
                    workflow: tick
                    cron: "0 2 * * *"
                    timezone: Europe/Paris
                    overlap: bufferOne
                    """, contentType: "application/yaml")
            #expect(applied.status == 200 && applied.body?["nextFire"]?.stringValue?.hasSuffix(":00:00.000Z") == true)
            #expect(try await client.call(.post, "/v1/schedules/nightly/pause", key: key).body?["paused"] == true)
            #expect(try await client.call(.get, "/v1/schedules", key: harness.viewerKey).body?["items"]?.arrayValue?.count == 1)
            let backfill = try await client.call(
                .post, "/v1/schedules/nightly/backfill", key: key,
                json: ["from": "2026-01-01T00:00:00Z", "to": "2026-01-03T12:00:00Z"])
            #expect(backfill.body?["runs"]?.arrayValue?.count == 3)
            #expect(
                try await client.call(
                    .post, "/v1/schedules/nightly/backfill", key: harness.viewerKey,
                    json: ["from": "2026-01-01T00:00:00Z", "to": "2026-01-03T12:00:00Z"]
                ).status == 403)
            #expect(try await client.call(.delete, "/v1/schedules/nightly", key: key).status == 200)
            #expect(try await client.call(.get, "/v1/schedules/nightly", key: key).status == 404)
        }
    }

    @Test func anEventTriggerStartsARunWhenAVMIsCreated() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let key = harness.adminKey
            _ = try await client.call(
                .post, "/v1/workflows", key: key,
                json: [
                    "name": "welcome", "inputs": ["event": ["required": true]],
                    "steps": [["name": "greet", "action": "noop", "inputs": ["vm": "${inputs.event.name}"]]],
                    "outputs": ["vm": "${steps.greet.output.vm}"],
                ])
            #expect(
                try await client.call(
                    .post, "/v1/schedules", key: key,
                    json: ["name": "on-vm", "workflow": "welcome", "on": ["type": "created", "kind": "VM"], "overlap": "allowAll"]
                ).status == 200)
            _ = try await client.call(.post, "/v1/apply", key: key, json: Fixtures.vmDocument("fresh"))
            var runs: [Value] = []
            for _ in 0..<300 where runs.first?["status"] != "succeeded" {
                runs = try await client.call(.get, "/v1/runs?workflow=welcome", key: key).body?["items"]?.arrayValue ?? []
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(runs.count == 1 && runs.first?["output"] == ["vm": "fresh"])
            // The schedule's runs act as whoever wrote the schedule.
            #expect(runs.first?["startedBy"] == "apikey:admin via schedule:on-vm")
        }
    }
}

import APIServer
import ControlPlane
import Foundation
import Hummingbird
import HummingbirdTesting
import NovaCore
import NovaCronTesting
import Testing

/// What a hostile but authenticated client tried, each a regression test of a finding.
@Suite struct APIHardeningTests {
    /// Found: `create apikeys` alone minted admin keys.
    @Test func noKeyOrRoleBeyondTheCallersRights() async throws {
        let harness = try await APIHarness.make()
        let cp = harness.environment.controlPlane
        _ = try await cp.saveRole(["name": "keymaker", "rules": [["verbs": ["create", "list"], "resources": ["apikeys", "roles"]]]], as: .system("test"))
        let keymaker = try await cp.createAPIKey(name: "km", roleName: "keymaker", as: .system("test")).secret
        try await harness.withClient { client in
            let admin = try await client.call(.post, "/v1/apikeys", key: keymaker, json: ["name": "escalated", "role": "admin"])
            #expect(admin.status == 403)
            #expect(admin.body?["error"]?["message"]?.stringValue?.contains("grants what the caller does not hold") == true)
            let role = try await client.call(
                .post, "/v1/roles", key: keymaker,
                json: ["name": "wider", "rules": [["verbs": ["delete"], "resources": ["vms"]]]])
            #expect(role.status == 403)
            // Within its rights it may still hand out keys.
            #expect(try await client.call(.post, "/v1/apikeys", key: keymaker, json: ["name": "peer", "role": "keymaker"]).status == 201)
            // An operator cannot revoke the admin's key.
            _ = try await cp.saveRole(["name": "revoker", "rules": [["verbs": ["delete", "list"], "resources": ["apikeys"]]]], as: .system("test"))
            let revoker = try await cp.createAPIKey(name: "rv", roleName: "revoker", as: .system("test")).secret
            #expect(try await client.call(.delete, "/v1/apikeys/admin", key: revoker).status == 403)
        }
        let denials = try await cp.auditEntries(after: 0, limit: 1000, as: .system("test")).filter { $0.record.action.hasSuffix(".denied") }
        #expect(denials.count >= 3)
    }

    @Test func theDataDirectoryIsTheOwnersAlone() async throws {
        let directory = try ScratchDirectory.make("permissions").path + "/data"
        let (server, issued) = try await NovaCronServer.open(ServerConfiguration(dataDirectory: directory, port: 0))
        #expect(issued != nil)
        _ = server
        func mode(_ name: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: directory + name)[.posixPermissions] as? Int)
        }
        #expect(try mode("") == 0o700)
        for file in ["/novacron.sqlite", "/admin.key", "/audit-signing.key", "/audit-checkpoints.jsonl"] { #expect(try mode(file) == 0o600, "\(file)") }
    }

    /// A 409 says what the client sent and what to send instead.
    @Test func conflictsSayWhatWasSent() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            #expect(try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("a")).status == 201)
            let again = try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("a"))
            #expect(again.status == 409)
            #expect(again.body?["error"]?["message"]?.stringValue?.contains("you sent a create without a resourceVersion") == true)
        }
    }

    @Test func apiKeyNamesAreUnique() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            #expect(try await client.call(.post, "/v1/apikeys", key: harness.adminKey, json: ["name": "ci", "role": "viewer"]).status == 201)
            let again = try await client.call(.post, "/v1/apikeys", key: harness.adminKey, json: ["name": "ci", "role": "viewer"])
            #expect(again.status == 409)
            #expect(again.body?["error"]?["code"] == "already_exists")
        }
    }

    /// Found: previewing arbitrary Rego needed only `get policies`, and its body was compiled
    /// before anything was checked.
    @Test func evaluatingRegoIsAPermissionCheckedBeforeTheBodyIsRead() async throws {
        let harness = try await APIHarness.make(policies: true)
        try await harness.withClient { client in
            for path in ["/v1/policy/preview", "/v1/policy/evaluate"] {
                for key in [harness.viewerKey, harness.operatorKey] {
                    let reply = try await client.call(.post, path, key: key, raw: "{ this is not even JSON")
                    #expect(reply.status == 403, "\(path)")
                    #expect(reply.body?["error"]?["code"] == "forbidden")
                }
            }
            let viewerApply = try await client.call(.post, "/v1/apply", key: harness.viewerKey, raw: "{ not JSON")
            #expect(viewerApply.status == 403)
        }
    }

    /// Found: a preview whose evaluation failed said `violations: []`.
    @Test func previewReportsEvaluationFailures() async throws {
        let harness = try await APIHarness.make(policies: true)
        try await harness.environment.apply([Fixtures.vmDocument("a")])
        let policy: Value = [
            "apiVersion": "novacron.io/v1", "kind": "Policy", "metadata": ["name": "runaway"],
            "spec": [
                "enforcement": "warn", "kinds": ["VM"],
                "rego":
                    "package novacron\ndeny contains msg if { input.resource.metadata.name == \"a\"; count(numbers.range(1, 100000000000)) > 0; msg := \"x\" }\n",
            ],
        ]
        try await harness.withClient { client in
            let reply = try await client.call(.post, "/v1/policy/preview", key: harness.adminKey, json: policy)
            #expect(reply.status == 200)
            #expect(reply.body?["violations"] == [])
            let errors = try #require(reply.body?["errors"]?.arrayValue)
            #expect(errors.count == 1)
            #expect(errors.first?["error"]?.stringValue?.contains("budget") == true)
        }
    }

    /// Found: one comprehension made every VM write take 60 s and 3 GB. A policy that cannot
    /// decide even a minimal write is refused when it is written; one that fails on some
    /// inputs fails those decisions by its mode, quickly.
    @Test func runawayPoliciesAreRefusedOrFailByTheirMode() async throws {
        let harness = try await APIHarness.make(policies: true)
        @Sendable func policy(_ name: String, _ enforcement: String, _ body: String) -> Value {
            [
                "apiVersion": "novacron.io/v1", "kind": "Policy", "metadata": ["name": .string(name)],
                "spec": [
                    "enforcement": .string(enforcement), "kinds": ["VM"], "rego": .string("package novacron\ndeny contains msg if { \(body); msg := \"x\" }\n"),
                ],
            ]
        }
        try await harness.withClient { client in
            let always = try await client.call(
                .post, "/v1/apply", key: harness.adminKey,
                json: ["items": [policy("always", "block", "count({y | some y in numbers.range(1, 1000000000)}) > 0")]])
            #expect(always.status == 422)
            #expect(always.body?.canonicalJSON.contains("eval_budget_error") == true)
            let walker = try await client.call(
                .post, "/v1/apply", key: harness.adminKey,
                json: ["items": [policy("walker", "block", "walk(data, [p, v]); count(p) > 1000000")]])
            #expect(walker.status == 422)
            let sometimes = policy("sometimes", "block", "input.resource.metadata.name == \"big\"; count(numbers.range(1, 100000000000)) > 0")
            #expect(try await client.call(.post, "/v1/apply", key: harness.adminKey, json: ["items": [sometimes]]).status == 200)
            let started = ContinuousClock.now
            let refused = try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("big"))
            #expect(refused.status == 403)
            #expect(refused.body?.canonicalJSON.contains("budget") == true)
            #expect(try await client.call(.post, "/v1/vms", key: harness.adminKey, json: Fixtures.vmDocument("small")).status == 201)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    /// Found: a 50 MB body was a 500.
    @Test func oversizedBodiesAre413() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient(.live) { client in
            let reply = try await client.call(.post, "/v1/apply", key: harness.adminKey, raw: String(repeating: "a", count: 17 << 20))
            #expect(reply.status == 413)
            #expect(reply.body?["error"]?["code"] == "payload_too_large")
        }
    }

    /// Found: a 15 MB annotation was stored.
    @Test func metadataHasSizeLimits() async throws {
        let harness = try await APIHarness.make()
        let huge = Fixtures.vmDocument("a").setting("metadata", to: ["name": "a", "annotations": ["note": .string(String(repeating: "x", count: 300_000))]])
        let many = Fixtures.vmDocument("b").setting(
            "metadata", to: ["name": "b", "labels": .object(Dictionary(uniqueKeysWithValues: (0..<65).map { (Value.string("k\($0)"), Value.string("v")) }))])
        try await harness.withClient { client in
            for document in [huge, many] {
                let reply = try await client.call(.post, "/v1/apply", key: harness.adminKey, json: ["items": [document]])
                #expect(reply.status == 422)
                #expect(reply.body?["error"]?["details"]?.arrayValue?.contains { $0["code"] == "too_large" } == true)
                #expect((reply.body?.canonicalJSON.utf8.count ?? 0) < 4_096, "the error does not echo the value")
            }
        }
    }

    @Test func invalidUTF8IsRefusedNotReplaced() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            var headers: HTTPFields = [.authorization: "Bearer \(harness.adminKey)", .contentType: "application/json"]
            headers[.accept] = "application/json"
            let status = try await client.execute(
                uri: "/v1/apply", method: .post, headers: headers,
                body: ByteBuffer(bytes: Array(#"{"kind":"VM","metadata":{"name":""#.utf8) + [0xFF] + Array(#""}}"#.utf8))
            ) {
                (Int($0.status.code), String(buffer: $0.body))
            }
            #expect(status.0 == 400)
            #expect(status.1.contains("not valid UTF-8"))
        }
    }

    @Test func aKnownPathWithAnotherMethodIsAJSON405() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(.put, "/v1/events", key: harness.adminKey)
            #expect(reply.status == 405)
            #expect(reply.body?["error"]?["code"] == "method_not_allowed")
            #expect(reply.headers[.allow] == "GET")
            #expect(try await client.call(.get, "/v1/nothing-here", key: harness.adminKey).status == 404)
        }
    }

    /// Found: `resource.apply` in a workflow always acted as an operator.
    @Test func workflowWritesActWithTheStartersRights() async throws {
        let harness = try await APIHarness.make()
        let cp = harness.environment.controlPlane
        _ = try await cp.saveRole(
            ["name": "runner", "rules": [["verbs": ["create", "get", "list"], "resources": ["workflows", "runs"]]]], as: .system("test"))
        let runner = try await cp.createAPIKey(name: "runner", roleName: "runner", as: .system("test")).secret
        let definition: Value = [
            "name": "sneaky",
            "steps": [
                [
                    "name": "make", "action": "resource.apply",
                    "inputs": ["document": Fixtures.vmDocument("smuggled")],
                ]
            ],
        ]
        try await harness.withClient { client in
            #expect(try await client.call(.post, "/v1/workflows", key: runner, json: definition).status == 201)
            let run = try #require(try await client.call(.post, "/v1/workflows/sneaky/runs", key: runner, json: [:]).body?["id"]?.stringValue)
            var status = ""
            for _ in 0..<200 where status != "failed" && status != "succeeded" {
                try await Task.sleep(for: .milliseconds(20))
                status = try await client.call(.get, "/v1/runs/\(run)", key: harness.adminKey).body?["run"]?["status"]?.stringValue ?? ""
            }
            #expect(status == "failed")
            #expect(try await client.call(.get, "/v1/vms/smuggled", key: harness.adminKey).status == 404)
        }
    }

    /// A schedule is no way around it: its runs act as whoever wrote it.
    @Test func scheduledRunsActWithTheSchedulesOwnersRights() async throws {
        let harness = try await APIHarness.make()
        let cp = harness.environment.controlPlane
        _ = try await cp.saveRole(
            ["name": "scheduler", "rules": [["verbs": ["create", "get", "list"], "resources": ["schedules", "workflows"]]]],
            as: .system("test"))
        let scheduler = try await cp.createAPIKey(name: "cron", roleName: "scheduler", as: .system("test")).secret
        try await harness.withClient { client in
            _ = try await client.call(
                .post, "/v1/workflows", key: harness.adminKey,
                json: [
                    "name": "grow", "steps": [["name": "make", "action": "resource.apply", "inputs": ["document": Fixtures.networkDocument("smuggled")]]],
                ])
            // A client's own createdBy is ignored.
            #expect(
                try await client.call(
                    .post, "/v1/schedules", key: scheduler,
                    json: ["name": "sneaky", "workflow": "grow", "on": ["type": "created", "kind": "VM"], "createdBy": "apikey:admin"]
                ).status == 200)
            _ = try await client.call(.post, "/v1/apply", key: harness.adminKey, json: Fixtures.vmDocument("trigger"))
            var runs: [Value] = []
            for _ in 0..<300 where runs.first.map({ $0["status"] == "running" || $0["status"] == "pending" }) ?? true {
                runs = try await client.call(.get, "/v1/runs?workflow=grow", key: harness.adminKey).body?["items"]?.arrayValue ?? []
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(runs.first?["startedBy"] == "apikey:cron via schedule:sneaky")
            #expect(runs.first?["status"] == "failed")
            #expect(try await client.call(.get, "/v1/networks/smuggled", key: harness.adminKey).status == 404)
        }
    }

    /// A server's workflows reach only public addresses unless configured (found: any
    /// operator's workflow could call the server itself or a cloud metadata address).
    @Test func serverWorkflowsRefuseLoopbackAndCommands() async throws {
        let harness = try await APIHarness.make(allowedHTTPRanges: [])
        let definition: Value = [
            "name": "probe",
            "steps": [
                ["name": "local", "action": "http.request", "inputs": ["url": "http://127.0.0.1:1/healthz"]],
                ["name": "metadata", "action": "http.request", "inputs": ["url": "http://169.254.169.254/latest"]],
                ["name": "shell", "action": "command", "inputs": ["argv": ["/bin/cat", "/etc/hostname"]]],
            ],
        ]
        try await harness.withClient { client in
            #expect(try await client.call(.post, "/v1/workflows", key: harness.operatorKey, json: definition).status == 201)
            let run = try #require(try await client.call(.post, "/v1/workflows/probe/runs", key: harness.operatorKey, json: [:]).body?["id"]?.stringValue)
            var body: Value?
            for _ in 0..<200 {
                try await Task.sleep(for: .milliseconds(20))
                body = try await client.call(.get, "/v1/runs/\(run)", key: harness.adminKey).body
                if body?["run"]?["status"] != "running" { break }
            }
            #expect(body?["run"]?["status"] == "failed")
            let codes = (try await client.call(.get, "/v1/runs/\(run)/history", key: harness.adminKey).body?["items"]?.arrayValue ?? [])
                .compactMap { $0["error"]?["code"]?.stringValue }
            #expect(codes.contains("address_refused"))
            #expect(codes.contains("command_disabled"))
        }
    }
}

/// Streams and refusals cost the server bounded work whoever asks.
@Suite struct APIBoundsTests {
    @Test func deniedRequestsAreThrottledPerKeyAndTheirAuditBounded() async throws {
        let harness = try await APIHarness.make()
        let cp = harness.environment.controlPlane
        try await harness.withClient { client in
            var statuses: [Int] = []
            for _ in 0..<40 {
                statuses.append(try await client.call(.delete, "/v1/vms/\(String(repeating: "x", count: 2_000))", key: harness.viewerKey).status)
            }
            #expect(statuses.prefix(30).allSatisfy { $0 == 403 })
            #expect(statuses.suffix(10).allSatisfy { $0 == 429 })
            // Another key is not affected.
            #expect(try await client.call(.delete, "/v1/vms/a", key: harness.operatorKey).status == 404)
        }
        let denied = try await cp.auditEntries(after: 0, limit: 1000, as: .system("test")).filter { $0.record.outcome == .denied }
        #expect(denied.count == 30)
        #expect(denied.allSatisfy { $0.record.name.utf8.count <= 256 })
        #expect(try await cp.verifyAudit(as: .system("test")).isIntact)
    }

    /// Found: one apply of 60,000 VMs held the server for half a minute.
    @Test func aRequestCarriesAtMostAThousandDocuments() async throws {
        let harness = try await APIHarness.make()
        try await harness.withClient { client in
            let reply = try await client.call(
                .post, "/v1/apply", key: harness.adminKey,
                json: ["items": .array((0...1_000).map { Fixtures.networkDocument("n\($0)") })])
            #expect(reply.status == 413)
            #expect(reply.body?["error"]?["message"]?.stringValue?.contains("at most 1000 documents") == true)
        }
    }

    @Test func metricsCanRequireAKey() async throws {
        var configuration = ServerConfiguration(dataDirectory: "/nonexistent", port: 0)
        configuration.metricsRequireKey = true
        let environment = TestEnvironment()
        let server = NovaCronServer(configuration: configuration, controlPlane: environment.controlPlane, driver: environment.simulator)
        let key = try await environment.controlPlane.createAPIKey(name: "scraper", roleName: "viewer", as: .system("test")).secret
        try await server.makeApplication().test(.router) { client in
            let anonymous = try await client.call(.get, "/metrics", key: nil).status
            let withKey = try await client.call(.get, "/metrics", key: key).status
            let health = try await client.call(.get, "/healthz", key: nil).status
            #expect(anonymous == 401)
            #expect(withKey == 200)
            #expect(health == 200)
        }
    }

    /// Found: 200 watchers from sequence 0 stalled the server for 52 s.
    @Test func watchesAreBoundedInNumberAndBacklog() async throws {
        let harness = try await APIHarness.make()
        try await harness.environment.apply((0..<1_001).map { Fixtures.networkDocument("n\($0)") })
        try await harness.withClient { client in
            let old = try await client.call(.get, "/v1/events?watch=true&after=0&timeoutSeconds=1", key: harness.viewerKey)
            #expect(old.status == 410)
            #expect(old.body?["error"]?["code"] == "watch_too_old")
            #expect(try await client.call(.get, "/v1/events?limit=100000", key: harness.viewerKey).status == 400)
        }
    }
}

/// Connections are bounded before any key is read (found: a slowloris client with no key held
/// 19,980 connections and /healthz stopped answering).
@Suite struct ConnectionLimitTests {
    static func open(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(result == 0)
        return fd
    }

    /// Whether the server has closed this connection (a read sees the end).
    static func isClosed(_ fd: Int32, within timeout: Duration) -> Bool {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&pollfd, 1, milliseconds) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    @Test func slowHeadersAreCutOffAndConnectionsPerAddressAreBounded() async throws {
        var limits = ConnectionLimits()
        limits.perAddress = 4
        limits.headerTimeout = .milliseconds(500)
        var configuration = ServerConfiguration(dataDirectory: "/nonexistent", port: 0)
        configuration.connectionLimits = limits
        let environment = TestEnvironment()
        let server = NovaCronServer(configuration: configuration, controlPlane: environment.controlPlane, driver: environment.simulator)
        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let slow = try (0..<4).map { _ in try Self.open(port) }
            defer { slow.forEach { close($0) } }
            for fd in slow { _ = "GET /healthz HTTP/1.1\r\nHost: x\r\n".withCString { send(fd, $0, strlen($0), 0) } }
            // A fifth from the same address is closed at once.
            let extra = try Self.open(port)
            defer { close(extra) }
            #expect(Self.isClosed(extra, within: .seconds(2)))
            // The slow ones are cut off once their head is overdue, and the slots come back.
            for fd in slow { #expect(Self.isClosed(fd, within: .seconds(5))) }
            try await Task.sleep(for: .milliseconds(100))
            let fresh = try Self.open(port)
            defer { close(fresh) }
            _ = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".withCString { send(fresh, $0, strlen($0), 0) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = recv(fresh, &buffer, buffer.count, 0)
            #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
    }
}

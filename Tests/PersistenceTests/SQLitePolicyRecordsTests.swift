import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Persistence
import Policy
import Testing

/// The policy engine's decisions and violations in SQLite: queryable by resource, policy and
/// time, and still there after the database is reopened.
@Suite struct SQLitePolicyRecordsTests {
    @Test func violationsAndDecisionsSurviveReopeningAndFilter() async throws {
        let directory = try ScratchDirectory.make("records").path
        let path = directory + "/novacron.sqlite"
        let kinds = ResourceKind.builtIn + [.policy]
        do {
            let store = try SQLiteStore(path: path, kinds: kinds)
            let engine = PolicyEngine(records: store)
            let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: kinds, admission: [PolicyAdmission(engine: engine)])
            try await engine.attach(to: cp)
            let policy: Value = [
                "kind": "Policy", "metadata": ["name": "limits"],
                "spec": [
                    "kinds": ["VM"], "enforcement": "audit",
                    "rego": """
                    package limits
                    deny contains "too big" if input.resource.spec.vcpus > 4
                    """,
                ],
            ]
            _ = try await cp.create(try cp.resources(from: [policy])[0], as: Fixtures.admin)
            _ = try await cp.create(Fixtures.resource(Fixtures.vmDocument("small", vcpus: 2)), as: Fixtures.admin)
            _ = try await cp.create(Fixtures.resource(Fixtures.vmDocument("big", vcpus: 8)), as: Fixtures.admin)
        }
        let reopened = try SQLiteStore(path: path, kinds: kinds)
        let all = try await reopened.violations(resource: nil, policy: nil, since: nil, limit: 100)
        #expect(all.map(\.name) == ["big"])
        #expect(all.first?.messages.map(\.message) == ["too big"])
        #expect(all.first?.enforcement == .audit)
        #expect(try await reopened.violations(resource: "VM/big", policy: "limits", since: nil, limit: 10).count == 1)
        #expect(try await reopened.violations(resource: "VM/small", policy: nil, since: nil, limit: 10).isEmpty)
        #expect(try await reopened.violations(resource: nil, policy: nil, since: Date().addingTimeInterval(3600), limit: 10).isEmpty)
        let decisions = try await reopened.decisions(limit: 10)
        #expect(decisions.map(\.subject) == ["VM/small", "VM/big"])
        #expect(decisions.map(\.result) == ["allow", "deny"])
        #expect(decisions.allSatisfy { $0.policy == "limits" && $0.version == 1 && $0.fingerprint.count == 64 })
    }
}

/// The in-memory records keep the newest entries, oldest first, once past their capacity.
@Suite struct InMemoryPolicyRecordsTests {
    @Test func keepsTheNewestInOrderPastCapacity() async throws {
        let records = InMemoryPolicyRecords(capacity: 4)
        let store = InMemoryStore()
        let kinds = ResourceKind.builtIn + [.policy]
        let engine = PolicyEngine(records: records)
        let cp = ControlPlane(store: store, auditLog: store, access: store, kinds: kinds, admission: [PolicyAdmission(engine: engine)])
        try await engine.attach(to: cp)
        let policy: Value = [
            "kind": "Policy", "metadata": ["name": "limits"],
            "spec": [
                "kinds": ["VM"], "enforcement": "audit",
                "rego": """
                package limits
                deny contains "too big" if input.resource.spec.vcpus > 4
                """,
            ],
        ]
        _ = try await cp.create(try cp.resources(from: [policy])[0], as: Fixtures.admin)
        for i in 0..<7 { _ = try await cp.create(Fixtures.resource(Fixtures.vmDocument("vm-\(i)", vcpus: 8)), as: Fixtures.admin) }
        #expect(records.decisions(limit: 10).map(\.subject) == ["VM/vm-3", "VM/vm-4", "VM/vm-5", "VM/vm-6"])
        #expect(records.decisions(limit: 2).map(\.subject) == ["VM/vm-5", "VM/vm-6"])
        #expect(records.violations(resource: nil, policy: nil, since: nil, limit: 10).map(\.name) == ["vm-3", "vm-4", "vm-5", "vm-6"])
    }
}

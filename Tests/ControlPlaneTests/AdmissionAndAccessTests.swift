import ControlPlane
import NovaCore
import NovaCronTesting
import Testing

@Suite struct AdmissionAndAccessTests {
    @Test func admissionRefusesRecordsAndStoresNothing() async throws {
        let env = TestEnvironment(admission: [ProdEncryptionRule()])
        await #expect {
            _ = try await env.apply([Fixtures.vmDocument("db", labels: ["env": "prod"])])
        } throws: { error in
            guard let error = error as? NovaError else { return false }
            return error.code == .admissionDenied && error.diagnostics.first?.message == "production VMs need encrypted disks"
        }
        #expect(try await env.store.resource(.vm, named: "db") == nil)
        let entries = try await env.store.entries(after: 0, limit: 10)
        #expect(entries.last?.record.outcome == .denied)
        #expect(entries.last?.record.detail.contains("prod-encryption") == true)
    }

    @Test func warningsTravelBackWithTheWrite() async throws {
        let env = TestEnvironment(admission: [ProdEncryptionRule()])
        let outcome = try await env.apply([Fixtures.vmDocument("a", extra: ["security": ["sshRootLogin": true]])])[0]
        #expect(outcome.action == .created)
        #expect(outcome.warnings.map(\.message) == ["SSH root login is on"])
    }

    @Test func schemaIsTheFirstLinkForResourcesBuiltInCode() async throws {
        let env = TestEnvironment()
        var resource = Fixtures.resource(Fixtures.vmDocument("a"))
        resource.spec = resource.spec.setting("vcpus", to: 999)
        await #expect {
            _ = try await env.controlPlane.create(resource, as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.code == .validationFailed }
    }

    @Test func rolesLimitWhatAPrincipalMayDoAndRefusalsAreAudited() async throws {
        let env = TestEnvironment()
        let vm = Fixtures.resource(Fixtures.vmDocument("a"))
        await #expect {
            _ = try await env.controlPlane.create(vm, as: Fixtures.viewer)
        } throws: { ($0 as? NovaError)?.code == .forbidden }
        let denied = try #require(try await env.store.entries(after: 0, limit: 10).last)
        #expect(denied.record.outcome == .denied)
        #expect(denied.record.actor == Fixtures.viewer.name)
        _ = try await env.controlPlane.create(vm, as: Fixtures.operator)
        #expect(try await env.controlPlane.get(.vm, named: "a", as: Fixtures.viewer).name == "a")
        await #expect(throws: NovaError.self) { _ = try await env.controlPlane.auditEntries(after: 0, limit: 5, as: Fixtures.operator) }
        #expect(try await env.controlPlane.auditEntries(after: 0, limit: 5, as: Fixtures.admin).count >= 2)
    }

    @Test func apiKeysAuthenticateUntilRevoked() async throws {
        let env = TestEnvironment()
        let issued = try #require(try await env.controlPlane.bootstrapAdminKey())
        #expect(try await env.controlPlane.bootstrapAdminKey() == nil)
        #expect(try await env.controlPlane.authenticate(bearer: issued.secret)?.role.name == "admin")
        #expect(try await env.store.keys().first?.keyHash == sha256Hex(issued.secret))
        #expect(!(try await env.store.keys().contains { $0.keyHash.contains(issued.secret) }))
        let viewer = try await env.controlPlane.createAPIKey(name: "dash", roleName: "viewer", as: Fixtures.admin)
        #expect(try await env.controlPlane.authenticate(bearer: viewer.secret)?.role.name == "viewer")
        #expect(try await env.controlPlane.authenticate(bearer: viewer.secret + "x") == nil)
        _ = try await env.controlPlane.revokeAPIKey("dash", as: Fixtures.admin)
        #expect(try await env.controlPlane.authenticate(bearer: viewer.secret) == nil)
    }

    @Test func customRolesGrantVerbsOnResources() async throws {
        let env = TestEnvironment()
        let role = try await env.controlPlane.saveRole(
            [
                "name": "net-admin",
                "rules": [
                    ["verbs": ["*"], "resources": ["networks"]],
                    ["verbs": ["get", "list"], "resources": ["vms"]],
                ],
            ],
            as: Fixtures.admin)
        let principal = Principal(name: "apikey:net", role: role)
        _ = try await env.controlPlane.create(Fixtures.resource(Fixtures.networkDocument("n")), as: principal)
        await #expect(throws: NovaError.self) { _ = try await env.controlPlane.create(Fixtures.resource(Fixtures.vmDocument("a")), as: principal) }
        await #expect {
            _ = try await env.controlPlane.saveRole(["name": "bad", "rules": [["verbs": ["fly"], "resources": ["planes"]]]], as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.diagnostics.count == 2 }
    }

    @Test func auditChainDetectsAnEditedEntry() async throws {
        let env = TestEnvironment()
        _ = try await env.apply([Fixtures.vmDocument("a"), Fixtures.vmDocument("b"), Fixtures.vmDocument("c")])
        #expect(try await env.store.verify().isIntact)
        #expect(try await env.store.verify().entriesChecked == 3)
        await env.store.tamper(sequence: 2) { $0.actor = "mallory" }
        let result = try await env.store.verify()
        #expect(result.firstBrokenSequence == 2)
        #expect(!result.isIntact)
    }
}

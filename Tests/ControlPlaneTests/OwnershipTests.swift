import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Testing

/// A resource belongs to the manager that wrote it; another manager may not change or delete it
/// without forcing, and a forced takeover is audited and moves the ownership.
@Suite struct OwnershipTests {
    func owned(by manager: String, _ env: TestEnvironment) async throws -> Resource {
        var vm = Fixtures.resource(Fixtures.vmDocument("web"))
        vm.metadata.managedBy = manager
        return try await env.controlPlane.apply([vm], as: Fixtures.admin)[0].resource
    }

    @Test func anotherManagerIsRefusedNamingTheOwner() async throws {
        let env = TestEnvironment()
        _ = try await owned(by: "terraform", env)
        var change = Fixtures.resource(Fixtures.vmDocument("web", vcpus: 4))
        change.metadata.managedBy = "gitops:shop"
        let error = await #expect(throws: NovaError.self) { try await env.controlPlane.apply([change], as: Fixtures.admin) }
        #expect(error?.code == .managedElsewhere)
        #expect(error?.message.contains("managed by terraform") == true)
        let deletion = await #expect(throws: NovaError.self) {
            try await env.controlPlane.delete(.vm, named: "web", options: WriteOptions(manager: "cli"), as: Fixtures.admin)
        }
        #expect(deletion?.code == .managedElsewhere)
        let patch = await #expect(throws: NovaError.self) {
            try await env.controlPlane.patch(
                .vm, named: "web", with: ["spec": ["vcpus": 3]], options: WriteOptions(manager: "workflow:fix"),
                as: Fixtures.admin)
        }
        #expect(patch?.code == .managedElsewhere)
        #expect(try await env.store.resource(.vm, named: "web")?.spec["vcpus"] == 2, "nothing was written")
    }

    @Test func theOwnerAndUnnamedEditsAreAccepted() async throws {
        let env = TestEnvironment()
        _ = try await owned(by: "terraform", env)
        var mine = Fixtures.resource(Fixtures.vmDocument("web", vcpus: 4))
        mine.metadata.managedBy = "terraform"
        #expect(try await env.controlPlane.apply([mine], as: Fixtures.admin)[0].action == .configured)
        // A write naming no manager is a person's edit: the owner stays (and sees it as drift).
        let edited = try await env.controlPlane.patch(.vm, named: "web", with: ["spec": ["vcpus": 6]], as: Fixtures.admin)
        #expect(edited.resource.metadata.managedBy == "terraform")
    }

    @Test func forceTakesOverAndIsAudited() async throws {
        let env = TestEnvironment()
        _ = try await owned(by: "terraform", env)
        var change = Fixtures.resource(Fixtures.vmDocument("web", vcpus: 4))
        change.metadata.managedBy = "cli"
        let outcome = try await env.controlPlane.apply([change], options: WriteOptions(reason: "terraform retired", force: true), as: Fixtures.admin)
        #expect(outcome[0].resource.metadata.managedBy == "cli")
        let audit = try await env.store.entries(after: 0, limit: 100).map(\.record)
        let takeover = try #require(audit.first { $0.action == "takeover" })
        #expect(takeover.detail == "cli took VM/web over from terraform: terraform retired")
        #expect(audit.last?.detail.contains("forced: cli took VM/web over from terraform") == true)
        let events = try await env.store.events(after: 0, limit: 10)
        #expect(events.last?.reason?.contains("forced") == true)
        // Now the CLI owns it: Terraform is the one refused.
        var back = Fixtures.resource(Fixtures.vmDocument("web", vcpus: 2))
        back.metadata.managedBy = "terraform"
        await #expect(throws: NovaError.self) { try await env.controlPlane.apply([back], as: Fixtures.admin) }
    }
}

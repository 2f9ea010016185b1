import ControlPlane
import Foundation
import NovaCore
import NovaCronTesting
import Testing

/// Reads from outside go through the door with a principal, checked per kind; status writes
/// are the reconciler's and are recorded.
@Suite struct SealedDoorTests {
    static let policyViewer = Principal(
        name: "apikey:pv",
        role: Role(
            name: "policy-viewer",
            rules: [
                Role.Rule(verbs: ["get", "list"], resources: ["policies", "networks", "events"])
            ]))

    @Test func theInventoryLeavesOutKindsTheReaderMayNotList() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("secret-vm"), Fixtures.networkDocument("n")])
        let inventory = try await env.controlPlane.inventory(as: Self.policyViewer)
        #expect(inventory.resources.map(\.reference) == ["Network/n"])
        #expect(inventory.hiddenKinds.contains("VM"))
        #expect(try await env.controlPlane.inventory(as: Fixtures.admin).resources.count == 2)
        let counts = try await env.controlPlane.resourceCounts(as: Self.policyViewer)
        #expect(counts.map(\.kind) == ["Network"])
    }

    @Test func eventsOfKindsTheReaderMayNotReadAreLeftOut() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("secret-vm"), Fixtures.networkDocument("n")])
        let page = try await env.controlPlane.events(after: 0, limit: 100, as: Self.policyViewer)
        #expect(page.items.map(\.name) == ["n"])
        #expect(page.lastSequence == 2, "the reader continues after what was read, seen or not")
    }

    @Test func statusWritesAreTheReconcilersAndAppearAsEvents() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a")])
        await env.reconciler.reconcileOnce()
        let events = try await env.store.events(after: 0, limit: 100)
        let status = try #require(events.first { $0.type == .statusChanged })
        #expect(status.actor == "system:reconciler")
        // Nobody else writes observed state, not even an operator.
        let stored = try #require(try await env.store.resource(.vm, named: "a"))
        var fake = stored.status
        fake.phase = "running"
        let error = await #expect(throws: NovaError.self) {
            try await env.controlPlane.recordStatus(.vm, named: "a", status: fake, as: Fixtures.operator)
        }
        #expect(error?.code == .forbidden)
    }
}

import ControlPlane
import NovaCore
import NovaCronTesting
import Testing

@Suite struct WritePathTests {
    @Test func applyReportsCreatedConfiguredUnchanged() async throws {
        let env = TestEnvironment()
        var outcomes = try await env.apply([Fixtures.vmDocument("a"), Fixtures.networkDocument("n")])
        #expect(outcomes.map(\.action) == [.created, .created])
        outcomes = try await env.apply([Fixtures.vmDocument("a", vcpus: 4), Fixtures.networkDocument("n")])
        #expect(outcomes.map(\.action) == [.configured, .unchanged])
        #expect(outcomes[0].resource.metadata.resourceVersion == 2)
        let history = try await env.store.history(.vm, named: "a")
        #expect(history.map(\.version) == [1, 2])
        #expect(history.last?.document?["spec"]?["vcpus"] == 4)
    }

    @Test func staleVersionIsAConflictNotAnOverwrite() async throws {
        let env = TestEnvironment()
        let created = try await env.apply([Fixtures.vmDocument("a")])[0].resource
        var mine = created, theirs = created
        theirs.spec = theirs.spec.setting("vcpus", to: 8)
        _ = try await env.controlPlane.replace(theirs, as: Fixtures.admin)
        mine.spec = mine.spec.setting("vcpus", to: 3)
        await #expect {
            _ = try await env.controlPlane.replace(mine, as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.code == .conflict }
        let stored = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(stored.spec["vcpus"] == 8)
        #expect(stored.metadata.resourceVersion == 2)
    }

    @Test func aBatchIsAllOrNothing() async throws {
        let env = TestEnvironment()
        let existing = try await env.apply([Fixtures.vmDocument("a")])[0].resource
        var stale = Fixtures.resource(Fixtures.vmDocument("a", vcpus: 6))
        stale.metadata.resourceVersion = existing.metadata.resourceVersion + 5
        let fresh = Fixtures.resource(Fixtures.vmDocument("b"))
        await #expect(throws: NovaError.self) {
            _ = try await env.controlPlane.apply([fresh, stale], as: Fixtures.admin)
        }
        #expect(try await env.store.resource(.vm, named: "b") == nil)
        #expect(try await env.store.resource(.vm, named: "a")?.spec["vcpus"] == 2)
    }

    @Test func invalidDocumentsInABatchAreAllReportedAndNothingIsStored() async throws {
        let env = TestEnvironment()
        let bad: Value = ["kind": "VM", "metadata": ["name": "x"], "spec": ["vcpus": 0, "memoryMiB": 1, "image": "i"]]
        #expect {
            _ = try env.controlPlane.resources(from: [Fixtures.vmDocument("ok"), bad, Fixtures.networkDocument("n", cidr: "nope")])
        } throws: { error in
            let paths = (error as? NovaError)?.diagnostics.compactMap(\.path) ?? []
            return Set(paths) == ["documents[1].spec.vcpus", "documents[1].spec.memoryMiB", "documents[2].spec.cidr"]
        }
        #expect(try await env.store.allResources().isEmpty)
    }

    @Test func patchMergesAndCanBeConditional() async throws {
        let env = TestEnvironment()
        _ = try await env.apply([Fixtures.vmDocument("a", labels: ["env": "dev"])])
        let patched = try await env.controlPlane.patch(
            .vm, named: "a", with: ["metadata": ["labels": ["env": "prod"]], "spec": ["vcpus": 4]],
            as: Fixtures.admin)
        #expect(patched.action == .configured)
        #expect(patched.resource.metadata.labels == ["env": "prod"])
        #expect(patched.resource.spec["vcpus"] == 4)
        await #expect {
            _ = try await env.controlPlane.patch(.vm, named: "a", with: ["metadata": ["resourceVersion": "1"], "spec": ["vcpus": 5]], as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.code == .conflict }
        await #expect {
            _ = try await env.controlPlane.patch(.vm, named: "a", with: ["spec": ["vcpus": -1]], as: Fixtures.admin)
        } throws: { ($0 as? NovaError)?.code == .validationFailed }
    }

    @Test func deleteRemovesAndRecords() async throws {
        let env = TestEnvironment()
        _ = try await env.apply([Fixtures.vmDocument("a")])
        let outcome = try await env.controlPlane.delete(.vm, named: "a", as: Fixtures.admin)
        #expect(outcome.action == .deleted)
        #expect(try await env.store.resource(.vm, named: "a") == nil)
        #expect(try await env.store.history(.vm, named: "a").map(\.operation) == ["created", "deleted"])
        await #expect(throws: NovaError.self) { _ = try await env.controlPlane.delete(.vm, named: "a", as: Fixtures.admin) }
    }

    @Test func eventsArePublishedInOrder() async throws {
        let env = TestEnvironment()
        let stream = env.controlPlane.events.subscribe()
        _ = try await env.apply([Fixtures.networkDocument("n"), Fixtures.vmDocument("a")])
        _ = try await env.controlPlane.delete(.vm, named: "a", as: Fixtures.admin)
        var received: [String] = []
        for await event in stream {
            received.append("\(event.sequence):\(event.type.rawValue):\(event.name)")
            if received.count == 3 { break }
        }
        #expect(received == ["1:created:n", "2:created:a", "3:deleted:a"])
        #expect(try await env.store.events(after: 1, limit: 10).map(\.sequence) == [2, 3])
    }
}

import ControlPlane
import Foundation
import Infrastructure
import NovaCore
import NovaCronTesting
import Testing

@Suite struct ReconcilerTests {
    @Test func simulatorPassesTheDriverConformanceScenarios() async throws {
        try await ReconcilerConformance.convergesToRunning(TestEnvironment(), prefix: "c1")
        try await ReconcilerConformance.appliesNewVersions(TestEnvironment(), prefix: "c2")
        try await ReconcilerConformance.waitsForDependencies(TestEnvironment(), prefix: "c3")
        try await ReconcilerConformance.deletesFromInfrastructure(TestEnvironment(), prefix: "c4")
        let env = TestEnvironment()
        try await ReconcilerConformance.reportsOutOfBandChanges(env, prefix: "c5") { vm in
            try await env.simulator.editOutOfBand(.vm, name: vm, patch: ["vcpus": 1])
        }
    }

    @Test func convergesToRunning() async throws {
        let env = TestEnvironment()
        try await env.apply([
            Fixtures.networkDocument("n"), Fixtures.volumeDocument("v"),
            Fixtures.vmDocument("a", networks: ["n"], extra: ["volumes": [["volume": "v"]]]),
        ])
        await env.reconciler.reconcileOnce()
        #expect(try await env.store.resource(.vm, named: "a")?.status.phase == "provisioning")
        await env.converge()
        let vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "running")
        #expect(vm.status.host != nil)
        #expect(vm.status.observedVersion == 1)
        #expect(vm.status.condition("Ready")?.status == .true)
        #expect(vm.status.observed["vcpus"] == 2)
        #expect(try await env.store.resource(.network, named: "n")?.status.phase == "ready")
        #expect(try await env.store.resource(.volume, named: "v")?.status.phase == "attached")
    }

    @Test func appliesNewVersionsAndPowerState() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a")])
        await env.converge()
        try await env.apply([Fixtures.vmDocument("a", vcpus: 6, extra: ["powerState": "stopped"])])
        await env.converge()
        let vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "stopped")
        #expect(vm.status.observed["vcpus"] == 6)
        #expect(vm.status.observedVersion == 2)
    }

    @Test func unschedulableVMFailsWithAClearCondition() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("huge", vcpus: 200, memoryMiB: 1_000_000)])
        await env.converge()
        let vm = try #require(try await env.store.resource(.vm, named: "huge"))
        #expect(vm.status.phase == "failed")
        #expect(vm.status.condition("Scheduled")?.status == .false)
        #expect(vm.status.condition("Scheduled")?.reason == "Unschedulable")
        #expect(vm.status.message?.contains("200 vCPUs") == true)
    }

    @Test func survivesDriverErrorsAndRetries() async throws {
        let clock = ManualClock()
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 3), clock: clock)
        let store = InMemoryStore()
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store, clock: clock)
        let reconciler = Reconciler(controlPlane: controlPlane, driver: FlakyDriver(wrapping: simulator, failures: 2))
        _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
        await reconciler.reconcileOnce()
        var vm = try #require(try await store.resource(.vm, named: "a"))
        #expect(vm.status.condition("ReconcileError")?.status == .true)
        #expect(vm.status.condition("ReconcileError")?.message.contains("connection reset") == true)
        #expect(reconciler.statistics.errorsByKind["VM"] == 1)
        // Inside the backoff window nothing is tried.
        await reconciler.reconcileOnce()
        #expect(reconciler.statistics.errorsByKind["VM"] == 1)
        for _ in 0..<6 {
            clock.advance(by: 5)
            await reconciler.reconcileOnce()
        }
        vm = try #require(try await store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "running")
        #expect(vm.status.condition("ReconcileError")?.status == .false)
        #expect(reconciler.statistics.errorsByKind["VM"] == 2)
    }

    @Test func waitsForDependenciesThenConverges() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a", networks: ["late"])])
        await env.converge(passes: 1)
        var vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "pending")
        #expect(vm.status.message?.contains("Network/late") == true)
        try await env.apply([Fixtures.networkDocument("late")])
        await env.converge(passes: 4, secondsBetween: 30)
        vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.status.phase == "running")
    }

    @Test func restartsCrashedVMsAndReschedulesFromFailedHosts() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a"), Fixtures.vmDocument("b")])
        await env.converge()
        try await env.simulator.crashVM("a")
        let host = try #require(try await env.store.resource(.vm, named: "b")?.status.host)
        try await env.simulator.failHost(host)
        await env.converge()
        let a = try #require(try await env.store.resource(.vm, named: "a"))
        let b = try #require(try await env.store.resource(.vm, named: "b"))
        #expect(a.status.phase == "running")
        #expect(a.status.condition("LastFailure")?.message.contains("crashed") == true)
        #expect(b.status.phase == "running")
        #expect(b.status.host != host)
    }

    @Test func outOfBandEditsAreObservedNotReverted() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a")])
        await env.converge()
        try await env.simulator.editOutOfBand(.vm, name: "a", patch: ["vcpus": 16])
        await env.converge(passes: 1)
        let vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.spec["vcpus"] == 2)
        #expect(vm.status.observed["vcpus"] == 16)
    }

    @Test func deletedResourcesLeaveTheInfrastructure() async throws {
        let env = TestEnvironment()
        try await env.apply([Fixtures.vmDocument("a")])
        await env.converge()
        _ = try await env.controlPlane.delete(.vm, named: "a", as: Fixtures.admin)
        await env.reconciler.reconcileOnce()
        #expect(try await env.simulator.observe(.vm, name: "a") == nil)
    }

    @Test func runsAsAServiceAndReactsToWrites() async throws {
        let store = InMemoryStore()
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store)
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 1, provisioningSeconds: 0...0))
        let reconciler = Reconciler(controlPlane: controlPlane, driver: simulator, interval: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reconciler.run() }
            try await Task.sleep(for: .milliseconds(100))
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
            var phase: Phase = ""
            for _ in 0..<100 where phase != "running" {
                try await Task.sleep(for: .milliseconds(50))
                phase = try await store.resource(.vm, named: "a")?.status.phase ?? ""
            }
            #expect(phase == "running")
            group.cancelAll()
        }
    }
}

/// The running reconciler works from commits and driver reports, not from passes.
@Suite struct EventDrivenReconcilerTests {
    /// With a manual clock that never moves, a resource in retry backoff is never due again:
    /// whatever happens, happens because of an event.
    func running(_ body: @Sendable (ControlPlane, InMemoryStore, SimulatedInfrastructure, Reconciler) async throws -> Void) async throws {
        let store = InMemoryStore()
        let clock = ManualClock()
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store, clock: clock)
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 1, provisioningSeconds: 0...0), clock: clock)
        // A resync an hour away: anything that happens here happens because of an event.
        let reconciler = Reconciler(controlPlane: controlPlane, driver: simulator, interval: .seconds(3_600))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reconciler.run() }
            try await body(controlPlane, store, simulator, reconciler)
            group.cancelAll()
        }
    }

    func waitFor(_ store: InMemoryStore, _ name: String, _ test: @escaping @Sendable (Resource) -> Bool) async throws -> Resource? {
        for _ in 0..<500 {
            if let vm = try await store.resource(.vm, named: name), test(vm) { return vm }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await store.resource(.vm, named: name)
    }

    @Test func aCrashReportedByTheDriverIsRepairedWithoutAResync() async throws {
        try await running { controlPlane, store, simulator, reconciler in
            try await Task.sleep(for: .milliseconds(100))
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a"))], as: Fixtures.admin)
            let started = try await waitFor(store, "a") { $0.status.phase == .running }
            #expect(started?.status.phase == .running)
            let passes = reconciler.statistics.passes
            try await simulator.crashVM("a")
            let repaired = try await waitFor(store, "a") { $0.status.condition(.lastFailure) != nil }
            #expect(repaired?.status.condition(.lastFailure)?.message.contains("crashed") == true)
            #expect(reconciler.statistics.passes == passes, "no resync was needed")
        }
    }

    @Test func aDeletionRemovesFromTheInfrastructure() async throws {
        try await running { controlPlane, store, simulator, _ in
            try await Task.sleep(for: .milliseconds(100))
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("gone"))], as: Fixtures.admin)
            _ = try await waitFor(store, "gone") { $0.status.phase == .running }
            _ = try await controlPlane.delete(.vm, named: "gone", as: Fixtures.admin)
            for _ in 0..<200 where try await simulator.observe(.vm, name: "gone") != nil { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await simulator.observe(.vm, name: "gone") == nil)
        }
    }

    /// A VM written before its network waits, and goes as soon as the network is there.
    @Test func aWaitingVMGoesWhenItsNetworkArrives() async throws {
        try await running { controlPlane, store, _, _ in
            try await Task.sleep(for: .milliseconds(100))
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a", networks: ["late"]))], as: Fixtures.admin)
            _ = try await waitFor(store, "a") { $0.status.condition(.reconcileError)?.status == .true }
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.networkDocument("late"))], as: Fixtures.admin)
            // The clock stands still, so its backoff never ends: the network's arrival is what moved it.
            let running = try await waitFor(store, "a") { $0.status.phase == .running }
            #expect(running?.status.phase == .running)
        }
    }
}

/// The queue hands a key to one worker at a time and dedupes.
@Suite struct ReconcilerQueueTests {
    @Test func manyChangesToOneResourceAreNeverWorkedConcurrently() async throws {
        let store = InMemoryStore()
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store)
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 1, provisioningSeconds: 0...0))
        let watcher = ConcurrencyWatchingDriver(wrapping: simulator)
        let reconciler = Reconciler(controlPlane: controlPlane, driver: watcher, interval: .seconds(3_600), workers: 8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reconciler.run() }
            try await Task.sleep(for: .milliseconds(100))
            for vcpus in 1...30 { _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("a", vcpus: vcpus))], as: Fixtures.admin) }
            for _ in 0..<200 where try await simulator.observe(.vm, name: "a")?.observed["vcpus"] != 30 { try await Task.sleep(for: .milliseconds(20)) }
            group.cancelAll()
        }
        #expect(try await simulator.observe(.vm, name: "a")?.observed["vcpus"] == 30)
        #expect(watcher.maximumConcurrent == 1)
    }
}

/// A VM that takes a while to boot is looked at again until it runs, with no change to wake it.
@Suite struct SettlingReconcilerTests {
    @Test func aProvisioningVMIsLookedAtAgainUntilItRuns() async throws {
        let store = InMemoryStore()
        let controlPlane = ControlPlane(store: store, auditLog: store, access: store)
        let simulator = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: 1, provisioningSeconds: 1...1))
        let reconciler = Reconciler(controlPlane: controlPlane, driver: simulator, interval: .seconds(3_600))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reconciler.run() }
            try await Task.sleep(for: .milliseconds(100))
            _ = try await controlPlane.apply([Fixtures.resource(Fixtures.vmDocument("slow"))], as: Fixtures.admin)
            var phase: Phase = .pending
            for _ in 0..<150 where phase != .running {
                try await Task.sleep(for: .milliseconds(50))
                phase = try await store.resource(.vm, named: "slow")?.status.phase ?? .pending
            }
            #expect(phase == .running)
            group.cancelAll()
        }
    }
}

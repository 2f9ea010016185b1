import Foundation
import Infrastructure
import NovaCore
import NovaCronTesting
import Testing

@Suite struct SimulatorTests {
    func makeSimulator(seed: UInt64 = 1, clock: ManualClock = ManualClock()) -> SimulatedInfrastructure {
        SimulatedInfrastructure(configuration: SimulationConfiguration(seed: seed), clock: clock)
    }

    @Test func sameSeedSameTelemetry() async throws {
        let clockA = ManualClock(), clockB = ManualClock()
        let a = makeSimulator(seed: 11, clock: clockA), b = makeSimulator(seed: 11, clock: clockB), c = makeSimulator(seed: 12, clock: ManualClock())
        let vm = Fixtures.resource(Fixtures.vmDocument("app-1"))
        for sim in [a, b, c] { _ = try await sim.create(vm) }
        clockA.advance(by: 60); clockB.advance(by: 60)
        let start = clockA.now, end = start.addingTimeInterval(86_400)
        let first = try await a.telemetry(forVM: "app-1", from: start, to: end)
        let second = try await b.telemetry(forVM: "app-1", from: start, to: end)
        #expect(first.count == 1_441)
        #expect(first == second)
        #expect(try await a.telemetry(forVM: "app-1", from: start, to: end) == first)
        // A different seed is a different history (c is still provisioning at its clock, so look at a and a fresh seed).
        let d = makeSimulator(seed: 12, clock: clockA)
        _ = try await d.create(vm)
        clockA.advance(by: 60)
        let other = try await d.telemetry(forVM: "app-1", from: start, to: end)
        #expect(other != first)
        _ = c
    }

    @Test func telemetryHasDailySeasonality() async throws {
        let clock = ManualClock()
        let sim = makeSimulator(clock: clock)
        _ = try await sim.create(Fixtures.resource(Fixtures.vmDocument("app-1")))
        clock.advance(by: 60)
        let day = try await sim.telemetry(forVM: "app-1", from: clock.now, to: clock.now.addingTimeInterval(86_400))
        let byHour = Dictionary(grouping: day) { Int($0.time.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) / 3_600) }
            .mapValues { samples in samples.map(\.requestRate).reduce(0, +) / Double(samples.count) }
        let busiest = byHour.values.max()!, quietest = byHour.values.min()!
        #expect(busiest > quietest * 2)
        #expect(day.allSatisfy { (0...100).contains($0.cpuPercent) && $0.networkInMbps >= 0 && $0.diskIOPS >= 0 })
    }

    @Test func lifecycleFollowsTheClock() async throws {
        let clock = ManualClock()
        let sim = makeSimulator(clock: clock)
        let created = try await sim.create(Fixtures.resource(Fixtures.vmDocument("a")))
        #expect(created.phase == "provisioning")
        #expect(created.host != nil)
        clock.advance(by: 10)
        #expect(try await sim.observe(.vm, name: "a")?.phase == "running")
        #expect(try await sim.perform(.stop, onVM: "a").phase == "stopped")
        #expect(try await sim.telemetry(forVM: "a", from: clock.now.addingTimeInterval(-600), to: clock.now).isEmpty)
        _ = try await sim.perform(.start, onVM: "a")
        clock.advance(by: 10)
        #expect(try await sim.observe(.vm, name: "a")?.phase == "running")
        try await sim.delete(.vm, name: "a")
        #expect(try await sim.observe(.vm, name: "a") == nil)
    }

    @Test func aVMThatFitsNowhereIsRefusedClearly() async throws {
        let sim = makeSimulator()
        await #expect {
            _ = try await sim.create(Fixtures.resource(Fixtures.vmDocument("huge", vcpus: 64, memoryMiB: 65_536)))
        } throws: { error in
            guard let error = error as? NovaError else { return false }
            return error.code == .unschedulable && error.message.contains("64 vCPUs") && error.message.contains("32 vCPUs")
        }
    }

    @Test func antiAffinitySpreadsAndHintsAreHonoured() async throws {
        let sim = makeSimulator()
        var hosts: Set<String> = []
        for i in 1...4 {
            let vm = Fixtures.resource(Fixtures.vmDocument("w\(i)", extra: ["placement": ["antiAffinityGroup": "web"]]))
            hosts.insert(try await sim.create(vm).host!)
        }
        #expect(hosts.count == 4)
        await #expect(throws: NovaError.self) {
            _ = try await sim.create(Fixtures.resource(Fixtures.vmDocument("w5", extra: ["placement": ["antiAffinityGroup": "web"]])))
        }
        let pinned = try await sim.create(Fixtures.resource(Fixtures.vmDocument("p", extra: ["placement": ["zone": "zone-b"]])))
        #expect(pinned.host == "host-2" || pinned.host == "host-4")
    }

    @Test func hostFailureFailsItsVMsAndRestartMovesThem() async throws {
        let clock = ManualClock()
        let sim = makeSimulator(clock: clock)
        let placed = try await sim.create(Fixtures.resource(Fixtures.vmDocument("a")))
        clock.advance(by: 10)
        try await sim.failHost(placed.host!)
        let failed = try #require(try await sim.observe(.vm, name: "a"))
        #expect(failed.phase == "failed")
        #expect(failed.message?.contains("failed") == true)
        let restarted = try await sim.perform(.start, onVM: "a")
        #expect(restarted.host != placed.host)
        #expect(restarted.phase == "provisioning")
    }

    @Test func crashesAndOutOfBandEditsShowInObservation() async throws {
        let clock = ManualClock()
        let sim = makeSimulator(clock: clock)
        _ = try await sim.create(Fixtures.resource(Fixtures.vmDocument("a")))
        clock.advance(by: 10)
        try await sim.editOutOfBand(.vm, name: "a", patch: ["vcpus": 8, "security": ["sshRootLogin": true]])
        let edited = try #require(try await sim.observe(.vm, name: "a"))
        #expect(edited.observed["vcpus"] == 8)
        #expect(edited.observed["security"]?["sshRootLogin"] == true)
        #expect(edited.observed["memoryMiB"] == 2048)
        try await sim.crashVM("a")
        #expect(try await sim.observe(.vm, name: "a")?.phase == "failed")
    }

    @Test func vmsNeedTheirDependencies() async throws {
        let sim = makeSimulator()
        let vm = Fixtures.resource(Fixtures.vmDocument("a", networks: ["net-1"]))
        await #expect {
            _ = try await sim.create(vm)
        } throws: { ($0 as? NovaError)?.isRetryable == true && "\($0)".contains("Network/net-1") }
        _ = try await sim.create(Fixtures.resource(Fixtures.networkDocument("net-1")))
        #expect(try await sim.create(vm).phase == "provisioning")
    }
}

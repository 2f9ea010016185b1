import ControlPlane
import Foundation
import Infrastructure
import NovaCore

/// Reconciler behaviour every driver must support, written once and run against each driver's
/// tests (the simulator's and libvirt's). Each scenario throws a `ConformanceFailure` naming
/// what did not hold.
public enum ReconcilerConformance {
    public struct ConformanceFailure: Error, CustomStringConvertible {
        public let description: String
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(description: message()) }
    }

    static func stored(_ env: TestEnvironment, _ kind: ResourceKind, _ name: String) async throws -> Resource {
        guard let resource = try await env.store.resource(kind, named: name) else {
            throw ConformanceFailure(description: "\(kind.name)/\(name) is not in the store")
        }
        return resource
    }

    /// A network, a volume and a VM using both reach ready, attached and running.
    public static func convergesToRunning(_ env: TestEnvironment, prefix: String) async throws {
        let network = "\(prefix)-net", volume = "\(prefix)-data", vm = "\(prefix)-vm"
        try await env.apply([
            Fixtures.networkDocument(network, cidr: "10.77.0.0/24"), Fixtures.volumeDocument(volume, sizeGiB: 5),
            Fixtures.vmDocument(vm, networks: [network], extra: ["volumes": [["volume": .string(volume)]]]),
        ])
        await env.converge()
        let machine = try await stored(env, .vm, vm)
        try require(machine.status.phase == "running", "VM phase is \(machine.status.phase): \(machine.status.message ?? "")")
        try require(machine.status.observedVersion == 1, "observedVersion is \(machine.status.observedVersion)")
        try require(machine.status.condition("Ready")?.status == .true, "VM is not Ready")
        try require(machine.status.observed["vcpus"] == 2, "observed vcpus \(String(describing: machine.status.observed["vcpus"]))")
        try require(machine.status.observed["memoryMiB"] == 2048, "observed memory \(String(describing: machine.status.observed["memoryMiB"]))")
        try require(machine.status.observed["networks"]?.arrayValue?.first?["network"] == .string(network), "observed networks")
        let net = try await stored(env, .network, network)
        try require(net.status.phase == "ready", "network phase is \(net.status.phase)")
        let disk = try await stored(env, .volume, volume)
        try require(disk.status.phase == "attached", "volume phase is \(disk.status.phase)")
        try require(disk.status.observed["attachedTo"] == .string(vm), "volume attachedTo \(String(describing: disk.status.observed["attachedTo"]))")
    }

    /// A new spec version is applied, including a resize and a power-off.
    public static func appliesNewVersions(_ env: TestEnvironment, prefix: String) async throws {
        let vm = "\(prefix)-vm"
        try await env.apply([Fixtures.vmDocument(vm)])
        await env.converge()
        try await env.apply([Fixtures.vmDocument(vm, vcpus: 3, memoryMiB: 1024, extra: ["powerState": "stopped"])])
        await env.converge()
        let machine = try await stored(env, .vm, vm)
        try require(machine.status.phase == "stopped", "VM phase is \(machine.status.phase)")
        try require(machine.status.observedVersion == 2, "observedVersion is \(machine.status.observedVersion)")
        try require(machine.status.observed["vcpus"] == 3, "observed vcpus \(String(describing: machine.status.observed["vcpus"]))")
        try require(machine.status.observed["memoryMiB"] == 1024, "observed memory \(String(describing: machine.status.observed["memoryMiB"]))")
        try await env.apply([Fixtures.vmDocument(vm, vcpus: 3, memoryMiB: 1024)])
        await env.converge()
        let restarted = try await stored(env, .vm, vm)
        try require(restarted.status.phase == "running", "VM phase after power-on is \(restarted.status.phase)")
    }

    /// A VM applied before its network waits, then converges once the network exists.
    public static func waitsForDependencies(_ env: TestEnvironment, prefix: String) async throws {
        let vm = "\(prefix)-vm", network = "\(prefix)-late"
        try await env.apply([Fixtures.vmDocument(vm, networks: [network])])
        await env.converge(passes: 1)
        let waiting = try await stored(env, .vm, vm)
        try require(waiting.status.phase == "pending", "VM phase while waiting is \(waiting.status.phase)")
        try require(waiting.status.message?.contains("Network/\(network)") == true, "message is \(waiting.status.message ?? "none")")
        try await env.apply([Fixtures.networkDocument(network, cidr: "10.78.0.0/24")])
        await env.converge(passes: 4, secondsBetween: 30)
        let running = try await stored(env, .vm, vm)
        try require(running.status.phase == "running", "VM phase after the network came is \(running.status.phase)")
    }

    /// Deleted resources leave the infrastructure; VMs before the volumes they hold.
    public static func deletesFromInfrastructure(_ env: TestEnvironment, prefix: String) async throws {
        let vm = "\(prefix)-vm", volume = "\(prefix)-data"
        try await env.apply([Fixtures.volumeDocument(volume), Fixtures.vmDocument(vm, extra: ["volumes": [["volume": .string(volume)]]])])
        await env.converge()
        _ = try await env.controlPlane.delete(.vm, named: vm, as: Fixtures.admin)
        _ = try await env.controlPlane.delete(.volume, named: volume, as: Fixtures.admin)
        await env.reconciler.reconcileOnce()
        try require(try await env.driver.observe(.vm, name: vm) == nil, "VM \(vm) is still in the infrastructure")
        try require(try await env.driver.observe(.volume, name: volume) == nil, "Volume \(volume) is still in the infrastructure")
    }

    /// Configuration changed behind NovaCron's back shows in `status.observed` and is not reverted.
    public static func reportsOutOfBandChanges(_ env: TestEnvironment, prefix: String, edit: (String) async throws -> Void) async throws {
        let vm = "\(prefix)-vm"
        try await env.apply([Fixtures.vmDocument(vm, vcpus: 2)])
        await env.converge()
        try await edit(vm)
        await env.converge(passes: 1)
        let machine = try await stored(env, .vm, vm)
        try require(machine.spec["vcpus"] == 2, "spec changed")
        try require(machine.status.observed["vcpus"] == 1, "observed vcpus \(String(describing: machine.status.observed["vcpus"]))")
    }
}

import Foundation
import NovaCore

/// A seeded, in-process cluster: hosts with capacity, placement, VM lifecycle, telemetry with
/// daily seasonality and noise, and fault injection. The same seed and the same calls give the
/// same history, because time comes from the injected clock and randomness from the seed.
public actor SimulatedInfrastructure: ReportsInfrastructureChanges {
    public nonisolated let name = "simulator"
    private nonisolated let changeHub = InfrastructureChangeHub()
    public let configuration: SimulationConfiguration
    private let clock: any WallClock
    private var hosts: [String: SimulatedHost]
    private var machines: [String: SimulatedVM] = [:]
    private var others: [ResourceKind: [String: Value]] = [:]

    struct SimulatedVM {
        var actual: Value
        var host: String?
        var phase: Phase
        var readyAt: Date
        var message: String?
    }

    public init(configuration: SimulationConfiguration = SimulationConfiguration(), clock: any WallClock = SystemClock()) {
        self.configuration = configuration
        self.clock = clock
        hosts = Dictionary(uniqueKeysWithValues: configuration.hosts.map { ($0.name, $0) })
    }

    // MARK: - Driver

    public func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource? {
        observation(kind, name: name)
    }

    public func observeAll() async throws -> [ObservedResource] {
        let vms = machines.keys.sorted().compactMap { observation(.vm, name: $0) }
        let rest = others.keys.sorted { $0.name < $1.name }.flatMap { kind in
            others[kind]!.keys.sorted().compactMap { observation(kind, name: $0) }
        }
        return rest + vms
    }

    public func create(_ resource: Resource) async throws -> ObservedResource {
        guard resource.kind == .vm else {
            others[resource.kind, default: [:]][resource.name] = resource.spec
            return observation(resource.kind, name: resource.name)!
        }
        if machines[resource.name] != nil {
            throw NovaError(.alreadyExists, "VM \(resource.name) already exists on the simulator")
        }
        guard let spec = resource.typedSpec(VMSpec.self) else {
            throw NovaError(.invalidRequest, "VM \(resource.name) has an unreadable spec")
        }
        try checkDependencies(of: spec, vm: resource.name)
        let host = try place(spec, vm: resource.name, excluding: nil)
        var random = random(for: resource.name, step: 0)
        let range = configuration.provisioningSeconds
        let delay = range.lowerBound + random.nextUnit() * (range.upperBound - range.lowerBound)
        let stopped = spec.powerState == .stopped
        machines[resource.name] = SimulatedVM(
            actual: resource.spec, host: host, phase: stopped ? .stopped : .provisioning,
            readyAt: clock.now.addingTimeInterval(delay))
        return observation(.vm, name: resource.name)!
    }

    public func update(_ resource: Resource) async throws -> ObservedResource {
        guard resource.kind == .vm else {
            guard others[resource.kind]?[resource.name] != nil else { throw missing(resource.kind, resource.name) }
            others[resource.kind]![resource.name] = resource.spec
            return observation(resource.kind, name: resource.name)!
        }
        guard var vm = machines[resource.name] else { throw missing(.vm, resource.name) }
        guard let spec = resource.typedSpec(VMSpec.self) else {
            throw NovaError(.invalidRequest, "VM \(resource.name) has an unreadable spec")
        }
        try checkDependencies(of: spec, vm: resource.name)
        if let host = vm.host, let current = hosts[host], !current.isFailed {
            let free = freeCapacity(on: host, excluding: resource.name)
            if spec.vcpus > free.vcpus || spec.memoryMiB > free.memoryMiB {
                throw NovaError(
                    .unschedulable,
                    "VM \(resource.name) cannot grow to \(spec.vcpus) vCPUs and \(spec.memoryMiB) MiB on \(host): "
                        + "\(free.vcpus) vCPUs and \(free.memoryMiB) MiB free there", isRetryable: true)
            }
        }
        vm.actual = resource.spec
        machines[resource.name] = vm
        return observation(.vm, name: resource.name)!
    }

    public func delete(_ kind: ResourceKind, name: String) async throws {
        if kind == .vm { machines[name] = nil } else { others[kind]?[name] = nil }
    }

    public func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource {
        guard var vm = machines[name] else { throw missing(.vm, name) }
        vm.phase = phase(of: vm)
        switch action {
        case .stop:
            vm.phase = .stopped
            vm.message = nil
        case .start, .restart:
            if action == .start, vm.phase == .running || vm.phase == .provisioning { break }
            if vm.host.flatMap({ hosts[$0] })?.isFailed ?? true {
                // The old host is gone: schedule afresh elsewhere.
                guard let spec = VMSpec.decode(vm.actual) else { throw NovaError(.internal, "VM \(name) has an unreadable configuration") }
                vm.host = nil
                machines[name] = vm
                vm.host = try place(spec, vm: name, excluding: nil)
            }
            vm.phase = .provisioning
            vm.message = nil
            vm.readyAt = clock.now.addingTimeInterval(configuration.provisioningSeconds.lowerBound)
        }
        machines[name] = vm
        return observation(.vm, name: name)!
    }

    public func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        guard let vm = machines[name] else { throw missing(.vm, name) }
        guard phase(of: vm) == .running else { return [] }
        let interval = configuration.telemetryInterval
        let first = Int((start.timeIntervalSince1970 / interval).rounded(.up))
        let last = Int((end.timeIntervalSince1970 / interval).rounded(.down))
        guard first <= last else { return [] }
        let profile = LoadProfile(random: random(for: name, step: -1))
        return (first...last).map { step in
            var noise = random(for: name, step: step)
            return profile.sample(at: Date(timeIntervalSince1970: Double(step) * interval), noise: &noise)
        }
    }

    public nonisolated func changes() -> AsyncStream<InfrastructureChange> { changeHub.subscribe() }

    // MARK: - Fault injection

    /// Takes a host down: every VM on it fails.
    public func failHost(_ name: String) throws {
        guard hosts[name] != nil else { throw NovaError(.notFound, "no host named \(name)") }
        hosts[name]!.isFailed = true
        for (vmName, vm) in machines where vm.host == name {
            machines[vmName]!.phase = .failed
            machines[vmName]!.message = "host \(name) failed"
            changeHub.publish(InfrastructureChange(kind: .vm, name: vmName))
        }
    }

    /// Brings a failed host back (its VMs stay failed until restarted).
    public func recoverHost(_ name: String) throws {
        guard hosts[name] != nil else { throw NovaError(.notFound, "no host named \(name)") }
        hosts[name]!.isFailed = false
    }

    /// Crashes one VM.
    public func crashVM(_ name: String, reason: String = "guest kernel panic") throws {
        guard machines[name] != nil else { throw missing(.vm, name) }
        machines[name]!.phase = .failed
        machines[name]!.message = "crashed: \(reason)"
        changeHub.publish(InfrastructureChange(kind: .vm, name: name))
    }

    /// Changes a resource behind NovaCron's back: a JSON merge patch on its actual configuration.
    public func editOutOfBand(_ kind: ResourceKind, name: String, patch: Value) throws {
        if kind == .vm {
            guard machines[name] != nil else { throw missing(kind, name) }
            machines[name]!.actual = machines[name]!.actual.merging(patch: patch)
        } else {
            guard let actual = others[kind]?[name] else { throw missing(kind, name) }
            others[kind]![name] = actual.merging(patch: patch)
        }
        changeHub.publish(InfrastructureChange(kind: kind, name: name))
    }

    /// The hosts and what is free on each.
    public func hostReport() -> [(host: SimulatedHost, freeVCPUs: Int, freeMemoryMiB: Int)] {
        hosts.values.sorted { $0.name < $1.name }.map { host in
            let free = freeCapacity(on: host.name, excluding: nil)
            return (host, free.vcpus, free.memoryMiB)
        }
    }

    // MARK: - Internals

    private func missing(_ kind: ResourceKind, _ name: String) -> NovaError {
        NovaError(.notFound, "\(kind.name) \(name) does not exist on the simulator")
    }

    private func phase(of vm: SimulatedVM) -> Phase {
        vm.phase == .provisioning && clock.now >= vm.readyAt ? .running : vm.phase
    }

    private func observation(_ kind: ResourceKind, name: String) -> ObservedResource? {
        if kind == .vm {
            guard let vm = machines[name] else { return nil }
            return ObservedResource(kind: .vm, name: name, phase: phase(of: vm), message: vm.message, host: vm.host, observed: vm.actual)
        }
        guard let actual = others[kind]?[name] else { return nil }
        switch kind {
        case .volume:
            let holder = machines.keys.sorted().first { vm in
                machines[vm]!.actual["volumes"]?.arrayValue?.contains { $0["volume"]?.stringValue == name } ?? false
            }
            return ObservedResource(
                kind: kind, name: name, phase: holder == nil ? .available : .attached,
                observed: actual.setting("attachedTo", to: holder.map(Value.string)))
        default:
            return ObservedResource(kind: kind, name: name, phase: .ready, observed: actual)
        }
    }

    private func checkDependencies(of spec: VMSpec, vm: String) throws {
        var missingNames: [String] = []
        if let template = spec.template, others[.template]?[template] == nil { missingNames.append("Template/\(template)") }
        for attachment in spec.networks where others[.network]?[attachment.network] == nil {
            missingNames.append("Network/\(attachment.network)")
        }
        for attachment in spec.volumes {
            if others[.volume]?[attachment.volume] == nil {
                missingNames.append("Volume/\(attachment.volume)")
            } else if let holder = machines.first(where: { other in
                other.key != vm && (other.value.actual["volumes"]?.arrayValue?.contains { $0["volume"]?.stringValue == attachment.volume } ?? false)
            })?.key {
                throw NovaError(.conflict, "Volume/\(attachment.volume) is attached to VM/\(holder)", isRetryable: true)
            }
        }
        if !missingNames.isEmpty {
            throw NovaError(
                .infrastructure, "VM \(vm) needs \(missingNames.joined(separator: ", ")), which the infrastructure does not have yet",
                isRetryable: true)
        }
    }

    private func freeCapacity(on host: String, excluding vm: String?) -> (vcpus: Int, memoryMiB: Int) {
        guard let h = hosts[host] else { return (0, 0) }
        var vcpus = h.vcpus, memory = h.memoryMiB
        for (name, other) in machines where other.host == host && name != vm && other.phase != .failed {
            vcpus -= other.actual["vcpus"]?.intValue ?? 0
            memory -= other.actual["memoryMiB"]?.intValue ?? 0
        }
        return (vcpus, memory)
    }

    /// Spreads load: the healthy host with the most free vCPUs that satisfies every hint.
    private func place(_ spec: VMSpec, vm: String, excluding: String?) throws -> String {
        let group = spec.placement.antiAffinityGroup
        let candidates = hosts.values.sorted { $0.name < $1.name }.filter { host in
            !host.isFailed && host.name != excluding
                && (spec.placement.host == nil || spec.placement.host == host.name)
                && (spec.placement.zone == nil || spec.placement.zone == host.zone)
                && (group == nil
                    || !machines.contains { name, other in
                        name != vm && other.host == host.name
                            && other.actual["placement"]?["antiAffinityGroup"]?.stringValue == group
                    })
        }
        let fitting = candidates.map { ($0, freeCapacity(on: $0.name, excluding: vm)) }
            .filter { $0.1.vcpus >= spec.vcpus && $0.1.memoryMiB >= spec.memoryMiB }
        if let best = fitting.max(by: { a, b in a.1.vcpus != b.1.vcpus ? a.1.vcpus < b.1.vcpus : a.0.name > b.0.name }) {
            return best.0.name
        }
        let largest = candidates.map { freeCapacity(on: $0.name, excluding: vm) }.max { $0.vcpus < $1.vcpus }
        var reason = "no host can take \(spec.vcpus) vCPUs and \(spec.memoryMiB) MiB"
        if candidates.isEmpty {
            reason += ": no healthy host matches the placement hints"
        } else if let largest {
            reason += " (the freest matching host has \(largest.vcpus) vCPUs and \(largest.memoryMiB) MiB free)"
        }
        throw NovaError(.unschedulable, "VM \(vm) is unschedulable: \(reason)", isRetryable: true)
    }

    /// A generator for one VM and one time step, independent of the order of calls.
    private func random(for vm: String, step: Int) -> SeededRandom {
        SeededRandom.derived(seed: configuration.seed, [stableHash(vm), UInt64(bitPattern: Int64(step))])
    }
}

/// FNV-1a over UTF-8: unlike `hashValue`, the same in every process.
func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}

extension VMSpec {
    static func decode(_ value: Value) -> VMSpec? {
        var reader = ObjectReader(value, at: "spec")
        return VMSpec.read(&reader)
    }
}

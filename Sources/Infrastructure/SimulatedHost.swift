/// One hypervisor host of the simulated cluster.
public struct SimulatedHost: Sendable, Hashable {
    public var name: String
    public var zone: String
    public var vcpus: Int
    public var memoryMiB: Int
    public var isFailed: Bool = false

    public init(name: String, zone: String, vcpus: Int, memoryMiB: Int) {
        self.name = name
        self.zone = zone
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
    }
}

/// The shape of a simulated cluster.
public struct SimulationConfiguration: Sendable {
    public var seed: UInt64
    public var hosts: [SimulatedHost]
    /// Simulated seconds a VM spends provisioning, drawn per VM from this range.
    public var provisioningSeconds: ClosedRange<Double>
    /// Seconds between telemetry samples.
    public var telemetryInterval: Double

    public init(
        seed: UInt64 = 42, hosts: [SimulatedHost]? = nil, provisioningSeconds: ClosedRange<Double> = 2...6,
        telemetryInterval: Double = 60
    ) {
        self.seed = seed
        self.hosts = hosts ?? SimulationConfiguration.defaultHosts(seed: seed)
        self.provisioningSeconds = provisioningSeconds
        self.telemetryInterval = telemetryInterval
    }

    /// Four hosts in two zones, 32 vCPUs and 128 GiB each.
    public static func defaultHosts(seed: UInt64) -> [SimulatedHost] {
        (1...4).map { i in SimulatedHost(name: "host-\(i)", zone: i % 2 == 1 ? "zone-a" : "zone-b", vcpus: 32, memoryMiB: 131_072) }
    }
}

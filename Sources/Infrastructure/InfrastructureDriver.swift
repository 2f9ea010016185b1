import Foundation
import NovaCore

/// What NovaCron drives: a hypervisor cluster, real or simulated.
///
/// Every method may throw a `NovaError`; `isRetryable` says whether the reconciler should try
/// again. Drivers own no desired state: they do what they are told and report what they see.
public protocol InfrastructureDriver: Sendable {
    /// A short name for logs and metrics (`simulator`, `libvirt`).
    var name: String { get }

    /// What the infrastructure holds for one resource, or nil if it holds nothing by that name.
    func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource?

    /// Everything the infrastructure holds that NovaCron manages.
    func observeAll() async throws -> [ObservedResource]

    /// Brings a resource into existence as its spec says.
    func create(_ resource: Resource) async throws -> ObservedResource

    /// Changes an existing resource to match its spec.
    func update(_ resource: Resource) async throws -> ObservedResource

    /// Removes a resource; removing one that is already gone is not an error.
    func delete(_ kind: ResourceKind, name: String) async throws

    /// Starts, stops or restarts a VM.
    func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource

    /// Telemetry samples for a VM between two instants, oldest first.
    func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample]
}

public enum PowerAction: String, Sendable, CaseIterable {
    case start, stop, restart
}

/// One resource as the infrastructure sees it.
public struct ObservedResource: Sendable, Hashable {
    public var kind: ResourceKind
    public var name: String
    /// The lifecycle phase: VMs go pending → provisioning → running → stopped / failed.
    public var phase: Phase
    public var message: String?
    public var host: String?
    /// The resource's actual configuration in the spec's own shape, for drift detection.
    public var observed: Value

    public init(kind: ResourceKind, name: String, phase: Phase, message: String? = nil, host: String? = nil, observed: Value) {
        self.kind = kind
        self.name = name
        self.phase = phase
        self.message = message
        self.host = host
        self.observed = observed
    }
}

/// Utilisation of one VM at one instant.
public struct TelemetrySample: Sendable, Hashable {
    public var time: Date
    public var cpuPercent: Double
    public var memoryPercent: Double
    public var networkInMbps: Double
    public var networkOutMbps: Double
    public var diskIOPS: Double
    public var requestRate: Double

    public init(
        time: Date, cpuPercent: Double, memoryPercent: Double, networkInMbps: Double, networkOutMbps: Double,
        diskIOPS: Double, requestRate: Double
    ) {
        self.time = time
        self.cpuPercent = cpuPercent
        self.memoryPercent = memoryPercent
        self.networkInMbps = networkInMbps
        self.networkOutMbps = networkOutMbps
        self.diskIOPS = diskIOPS
        self.requestRate = requestRate
    }

    public var value: Value {
        [
            "time": .string(Timestamp.format(time)), "cpuPercent": .double(cpuPercent), "memoryPercent": .double(memoryPercent),
            "networkInMbps": .double(networkInMbps), "networkOutMbps": .double(networkOutMbps), "diskIOPS": .double(diskIOPS),
            "requestRate": .double(requestRate),
        ]
    }
}

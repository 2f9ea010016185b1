import CLibvirt
import Dispatch
import Foundation
import Infrastructure
import NovaCore

/// Drives KVM/QEMU (or any libvirt hypervisor) through libvirt's C API.
///
/// Every libvirt call is blocking, so all of them run on one serial dispatch queue, off the
/// async executors. A lost connection is reopened with exponential backoff (1 s doubling to
/// 30 s); until then calls fail with a retryable `unavailable` error, which the reconciler turns
/// into conditions. NovaCron owns the domains and networks that carry its metadata element and
/// the pool volumes whose names start with `novacron-`; it never touches anything else.
public final class LibvirtDriver: InfrastructureDriver, @unchecked Sendable {
    // @unchecked Sendable: the mutable state below is read and written only on `queue`.
    public let name = "libvirt"
    public let uri: String
    public let storagePool: String
    let clock: any WallClock
    let telemetryInterval: TimeInterval
    private let queue = DispatchQueue(label: "novacron.libvirt")
    private var connection: LibvirtConnection?
    private var nextConnectAttempt = Date.distantPast
    private var reconnectDelay: TimeInterval = 0
    var recorder = TelemetryRecorder()

    /// - Parameters:
    ///   - uri: any libvirt URI: `qemu:///system`, `qemu+ssh://host/system`, `test:///default`.
    ///   - storagePool: the pool volumes, templates and root disks live in.
    public init(uri: String, storagePool: String = "default", clock: any WallClock = SystemClock(), telemetryInterval: TimeInterval = 60) {
        self.uri = uri
        self.storagePool = storagePool
        self.clock = clock
        self.telemetryInterval = telemetryInterval
    }

    /// Opens the connection now, so a wrong URI or missing permission shows at start-up.
    public func connect() async throws {
        try await onQueue { connection in _ = connection.hypervisorType }
    }

    /// Runs `body` on the libvirt queue with a live connection.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable (LibvirtConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        let connection = try self.liveConnection()
                        do {
                            return try body(connection)
                        } catch let error as NovaError where error.code == .unavailable {
                            // The connection broke under us: the next call reconnects.
                            self.connection = nil
                            throw error
                        }
                    })
            }
        }
    }

    private func liveConnection() throws -> LibvirtConnection {
        if let connection, connection.isAlive { return connection }
        connection = nil
        let now = clock.now
        guard now >= nextConnectAttempt else {
            throw NovaError(
                .unavailable, "libvirt at \(uri) is unreachable; reconnecting in \(Int(nextConnectAttempt.timeIntervalSince(now).rounded(.up))) s",
                isRetryable: true)
        }
        do {
            let opened = try LibvirtConnection(uri: uri)
            connection = opened
            reconnectDelay = 0
            return opened
        } catch let error as NovaError {
            reconnectDelay = min(30, max(1, reconnectDelay * 2))
            nextConnectAttempt = now.addingTimeInterval(reconnectDelay)
            throw NovaError(.unavailable, error.message, diagnostics: error.diagnostics, isRetryable: true)
        }
    }

    /// Drops the connection, as a network failure would: for tests of reconnection.
    func dropConnection() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }

    /// The domain type to declare: `test` on the test driver, `kvm` where /dev/kvm is usable, else `qemu`.
    func domainType(_ connection: LibvirtConnection) -> String {
        switch connection.hypervisorType.lowercased() {
        case "test": "test"
        case "qemu": FileManager.default.isReadableFile(atPath: "/dev/kvm") || !connection.uri.hasPrefix("qemu:///") ? "kvm" : "qemu"
        default: connection.hypervisorType.lowercased()
        }
    }

    // MARK: - InfrastructureDriver

    public func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource? {
        try await onQueue { connection in try self.observation(kind, name: name, connection: connection) }
    }

    public func observeAll() async throws -> [ObservedResource] {
        try await onQueue { connection in
            self.sampleTelemetryIfDue(connection)
            return try self.observations(connection)
        }
    }

    public func create(_ resource: Resource) async throws -> ObservedResource {
        try await onQueue { connection in
            switch resource.kind {
            case .vm: try self.createVM(resource, connection: connection)
            case .network: try self.createNetwork(resource, connection: connection)
            case .volume: try self.createVolume(resource, connection: connection)
            case .template: try self.createTemplate(resource, connection: connection)
            default: throw NovaError(.unsupported, "the libvirt driver does not manage \(resource.kind.name) resources")
            }
            guard let observed = try self.observation(resource.kind, name: resource.name, connection: connection) else {
                throw NovaError(.infrastructure, "\(resource.reference) was created but libvirt does not show it")
            }
            return observed
        }
    }

    public func update(_ resource: Resource) async throws -> ObservedResource {
        try await onQueue { connection in
            switch resource.kind {
            case .vm: try self.updateVM(resource, connection: connection)
            case .network: try self.updateNetwork(resource, connection: connection)
            case .volume:
                let size = resource.spec["sizeGiB"]?.intValue ?? 0
                try self.resizeVolume(LibvirtXML.Names.volume(resource.name), toGiB: size, connection: connection)
            case .template:
                let size = resource.spec["defaults"]?["diskGiB"]?.intValue ?? 0
                try self.resizeVolume(LibvirtXML.Names.template(resource.name), toGiB: size, connection: connection)
            default: throw NovaError(.unsupported, "the libvirt driver does not manage \(resource.kind.name) resources")
            }
            guard let observed = try self.observation(resource.kind, name: resource.name, connection: connection) else {
                throw NovaError(.notFound, "\(resource.reference) does not exist in libvirt")
            }
            return observed
        }
    }

    public func delete(_ kind: ResourceKind, name: String) async throws {
        try await onQueue { connection in
            switch kind {
            case .vm:
                if let domain = try connection.domain(named: name), try self.isOwned(domain) {
                    if domain.isActive { try domain.destroy() }
                    try domain.undefine()
                }
                try self.deleteVolume(LibvirtXML.Names.rootDisk(name), connection: connection)
            case .network:
                if let network = try connection.network(named: name), try LibvirtXML.parseNetwork(network.xml()).metadata != nil {
                    if network.isActive { try network.destroy() }
                    try network.undefine()
                }
            case .volume:
                if let holder = try self.attachments(connection)[name] {
                    throw NovaError(.conflict, "Volume/\(name) is still attached to VM/\(holder)", isRetryable: true)
                }
                try self.deleteVolume(LibvirtXML.Names.volume(name), connection: connection)
            case .template:
                try self.deleteVolume(LibvirtXML.Names.template(name), connection: connection)
            default:
                break
            }
        }
    }

    public func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource {
        try await onQueue { connection in
            guard let domain = try connection.domain(named: name), try self.isOwned(domain) else {
                throw NovaError(.notFound, "VM \(name) does not exist in libvirt")
            }
            switch action {
            case .start: if !domain.isActive { try domain.start() }
            case .stop: if domain.isActive { try domain.destroy() }
            case .restart:
                if domain.isActive { try domain.destroy() }
                try domain.start()
            }
            return try self.observation(.vm, name: name, connection: connection)!
        }
    }

    public func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        try await onQueue { connection in
            guard try connection.domain(named: name) != nil else { throw NovaError(.notFound, "VM \(name) does not exist in libvirt") }
            self.sampleTelemetryIfDue(connection)
            return self.recorder.samples(for: name, from: start, to: end)
        }
    }

    // MARK: - Helpers

    func isOwned(_ domain: LibvirtDomain) throws -> Bool {
        try LibvirtXML.parseDomain(domain.xml(inactive: true)).metadata != nil
    }

    func pool(_ connection: LibvirtConnection) throws -> LibvirtStoragePool {
        try connection.pool(named: storagePool)
    }

    func deleteVolume(_ name: String, connection: LibvirtConnection) throws {
        try pool(connection).volume(named: name)?.delete()
    }

    func resizeVolume(_ name: String, toGiB size: Int, connection: LibvirtConnection) throws {
        guard let volume = try pool(connection).volume(named: name) else { throw NovaError(.notFound, "volume \(name) does not exist in libvirt") }
        let wanted = UInt64(size) << 30
        if wanted > volume.capacityBytes {
            try volume.resize(toBytes: wanted)
        } else if wanted < volume.capacityBytes {
            throw NovaError(.invalidRequest, "volume \(name) cannot shrink from \(volume.capacityBytes >> 30) GiB to \(size) GiB")
        }
    }

    /// NovaCron volume name → the VM whose domain has it as a disk.
    func attachments(_ connection: LibvirtConnection) throws -> [String: String] {
        var result: [String: String] = [:]
        let prefix = LibvirtXML.Names.volume("")
        for domain in try connection.allDomains() {
            let description = try LibvirtXML.parseDomain(domain.xml(inactive: true))
            guard description.metadata != nil else { continue }
            for disk in description.disks where disk.volume.hasPrefix(prefix) {
                result[String(disk.volume.dropFirst(prefix.count))] = domain.name
            }
        }
        return result
    }
}

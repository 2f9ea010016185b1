import CLibvirt
import Foundation
import Infrastructure
import NovaCore

extension LibvirtDriver {
    func observations(_ connection: LibvirtConnection) throws -> [ObservedResource] {
        let held = try attachments(connection)
        var result: [ObservedResource] = []
        for volume in try pool(connection).allVolumes() {
            let name = volume.name
            if name.hasPrefix(LibvirtXML.Names.template("")) {
                result.append(templateObservation(String(name.dropFirst(LibvirtXML.Names.template("").count)), volume))
            } else if name.hasPrefix(LibvirtXML.Names.volume("")) {
                let resourceName = String(name.dropFirst(LibvirtXML.Names.volume("").count))
                result.append(volumeObservation(resourceName, volume, holder: held[resourceName]))
            }
        }
        for network in try connection.allNetworks() {
            if let observed = try networkObservation(network) { result.append(observed) }
        }
        let host = connection.hostname
        for domain in try connection.allDomains() {
            if let observed = try vmObservation(domain, connection: connection, host: host) { result.append(observed) }
        }
        return result
    }

    func observation(_ kind: ResourceKind, name: String, connection: LibvirtConnection) throws -> ObservedResource? {
        switch kind {
        case .vm:
            guard let domain = try connection.domain(named: name) else { return nil }
            return try vmObservation(domain, connection: connection, host: connection.hostname)
        case .network:
            guard let network = try connection.network(named: name) else { return nil }
            return try networkObservation(network)
        case .volume:
            guard let volume = try pool(connection).volume(named: LibvirtXML.Names.volume(name)) else { return nil }
            return volumeObservation(name, volume, holder: try attachments(connection)[name])
        case .template:
            guard let volume = try pool(connection).volume(named: LibvirtXML.Names.template(name)) else { return nil }
            return templateObservation(name, volume)
        default:
            return nil
        }
    }

    /// A domain in the spec's shape: sizes, disks and interfaces as libvirt reports them now;
    /// settings libvirt does not model (security, placement hints, template) as NovaCron defined them.
    func vmObservation(_ domain: LibvirtDomain, connection: LibvirtConnection, host: String) throws -> ObservedResource? {
        let description = try LibvirtXML.parseDomain(domain.xml())
        guard let defined = description.metadata else { return nil }
        let info = try domain.info()
        let phase = Self.phase(of: info.state)
        let pool = try pool(connection)
        let rootBytes = try pool.volume(named: LibvirtXML.Names.rootDisk(domain.name))?.capacityBytes ?? 0
        let volumePrefix = LibvirtXML.Names.volume("")
        var observed = defined
        observed = observed.setting("vcpus", to: .int(info.vcpus))
        observed = observed.setting("memoryMiB", to: .int(Int(info.memoryKiB / 1024)))
        observed = observed.setting("diskGiB", to: .int(Int(rootBytes >> 30)))
        observed = observed.setting("networks", to: .array(description.networks.map { ["network": .string($0)] }))
        observed = observed.setting(
            "volumes",
            to: .array(
                description.disks.filter { $0.volume.hasPrefix(volumePrefix) }.map { disk in
                    ["volume": .string(String(disk.volume.dropFirst(volumePrefix.count))), "device": .string(disk.device)]
                }))
        observed = observed.setting("powerState", to: .string(phase == .running ? "running" : "stopped"))
        let message = phase == .failed ? "the guest crashed (libvirt state \(info.state))" : nil
        return ObservedResource(kind: .vm, name: domain.name, phase: phase, message: message, host: host, observed: observed)
    }

    static func phase(of state: Int32) -> Phase {
        switch UInt32(state) {
        case VIR_DOMAIN_RUNNING.rawValue, VIR_DOMAIN_BLOCKED.rawValue: .running
        case VIR_DOMAIN_CRASHED.rawValue: .failed
        case VIR_DOMAIN_NOSTATE.rawValue: .provisioning
        default: .stopped
        }
    }

    func networkObservation(_ network: LibvirtNetwork) throws -> ObservedResource? {
        let description = try LibvirtXML.parseNetwork(network.xml())
        guard let defined = description.metadata else { return nil }
        var observed = defined
        if let address = description.address, let prefix = description.prefix, let cidr = CIDR("\(address)/\(prefix)") {
            let networkAddress = cidr.address.isIPv4 ? LibvirtXML.host(of: cidr, offset: 0) : address
            observed = observed.setting("cidr", to: .string("\(networkAddress)/\(prefix)"))
            observed = observed.setting("gateway", to: .string(address))
        }
        var dhcp: Value = ["enabled": .bool(description.dhcpRange != nil)]
        if let range = description.dhcpRange {
            dhcp = dhcp.setting("rangeStart", to: .string(range.start)).setting("rangeEnd", to: .string(range.end))
        }
        observed = observed.setting("dhcp", to: dhcp)
        return ObservedResource(kind: .network, name: network.name, phase: network.isActive ? .ready : .stopped, observed: observed)
    }

    /// Storage volumes carry no metadata in libvirt: only what the pool reports is observed.
    func volumeObservation(_ name: String, _ volume: LibvirtStorageVolume, holder: String?) -> ObservedResource {
        ObservedResource(
            kind: .volume, name: name, phase: holder == nil ? .available : .attached,
            observed: ["sizeGiB": .int(Int(volume.capacityBytes >> 30)), "attachedTo": holder.map(Value.string) ?? .null])
    }

    func templateObservation(_ name: String, _ volume: LibvirtStorageVolume) -> ObservedResource {
        ObservedResource(
            kind: .template, name: name, phase: .ready,
            observed: ["baseVolume": .string(volume.name), "defaults": ["diskGiB": .int(Int(volume.capacityBytes >> 30))]])
    }

    func sampleTelemetryIfDue(_ connection: LibvirtConnection) {
        let now = clock.now
        guard recorder.isDue(at: now, interval: telemetryInterval), let stats = try? connection.allDomainStats() else { return }
        recorder.record(stats, at: now)
    }
}

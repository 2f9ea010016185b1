import CLibvirt
import Foundation
import NovaCore

extension LibvirtDriver {
    func createVM(_ resource: Resource, connection: LibvirtConnection) throws {
        guard let spec = resource.typedSpec(VMSpec.self) else { throw NovaError(.invalidRequest, "\(resource.reference) has an unreadable spec") }
        if try connection.domain(named: resource.name) != nil {
            throw NovaError(.alreadyExists, "libvirt already has a domain named \(resource.name)")
        }
        let pool = try pool(connection)
        var missing: [String] = []
        if let template = spec.template, try pool.volume(named: LibvirtXML.Names.template(template)) == nil { missing.append("Template/\(template)") }
        for attachment in spec.networks where try connection.network(named: attachment.network) == nil { missing.append("Network/\(attachment.network)") }
        for attachment in spec.volumes where try pool.volume(named: LibvirtXML.Names.volume(attachment.volume)) == nil {
            missing.append("Volume/\(attachment.volume)")
        }
        if !missing.isEmpty {
            throw NovaError(.infrastructure, "VM \(resource.name) needs \(missing.joined(separator: ", ")), which libvirt does not have yet", isRetryable: true)
        }
        let held = try attachments(connection)
        for attachment in spec.volumes {
            if let holder = held[attachment.volume], holder != resource.name {
                throw NovaError(.conflict, "Volume/\(attachment.volume) is attached to VM/\(holder)", isRetryable: true)
            }
        }
        // The root disk: a clone of the template's base image, or an empty disk for an image reference.
        let rootName = LibvirtXML.Names.rootDisk(resource.name)
        if try pool.volume(named: rootName) == nil {
            let xml = LibvirtXML.volume(name: rootName, sizeGiB: spec.diskGiB)
            if let template = spec.template, let base = try pool.volume(named: LibvirtXML.Names.template(template)) {
                // The clone takes the capacity the XML asks for, so no resize is needed.
                _ = try pool.cloneVolume(xml: xml, from: base)
            } else {
                _ = try pool.createVolume(xml: xml)
            }
        }
        do {
            let domain = try connection.defineDomain(
                xml: LibvirtXML.domain(
                    name: resource.name, spec: resource.spec, typed: spec,
                    domainType: domainType(connection), pool: storagePool))
            if spec.powerState == .running { try domain.start() }
        } catch {
            // No half-made VM: the root disk goes with the failed domain.
            try? deleteVolume(rootName, connection: connection)
            if let domain = try? connection.domain(named: resource.name) { try? domain.undefine() }
            throw error
        }
    }

    func updateVM(_ resource: Resource, connection: LibvirtConnection) throws {
        guard let spec = resource.typedSpec(VMSpec.self) else { throw NovaError(.invalidRequest, "\(resource.reference) has an unreadable spec") }
        guard let domain = try connection.domain(named: resource.name), try isOwned(domain) else {
            throw NovaError(.notFound, "VM \(resource.name) does not exist in libvirt")
        }
        let before = try domain.info()
        // The persistent definition takes the whole new spec; a running guest also gets the new
        // vCPU count and memory live where the hypervisor allows it.
        _ = try connection.defineDomain(
            xml: LibvirtXML.domain(
                name: resource.name, uuid: domain.uuid, spec: resource.spec, typed: spec,
                domainType: domainType(connection), pool: storagePool))
        try resizeVolume(LibvirtXML.Names.rootDisk(resource.name), toGiB: spec.diskGiB, connection: connection)
        if domain.isActive {
            // Beyond the running guest's maximum a live change is refused; the new definition
            // then applies at the next boot, and observation keeps showing the live figures.
            if before.vcpus != spec.vcpus { try? domain.setVCPUs(spec.vcpus) }
            if before.memoryKiB != UInt(spec.memoryMiB) * 1024 { try? domain.setMemory(kibibytes: UInt(spec.memoryMiB) * 1024) }
        }
    }

    func createNetwork(_ resource: Resource, connection: LibvirtConnection) throws {
        guard let spec = resource.typedSpec(NetworkSpec.self) else { throw NovaError(.invalidRequest, "\(resource.reference) has an unreadable spec") }
        if try connection.network(named: resource.name) != nil {
            throw NovaError(.alreadyExists, "libvirt already has a network named \(resource.name)")
        }
        let network = try connection.defineNetwork(xml: LibvirtXML.network(name: resource.name, spec: resource.spec, typed: spec))
        do {
            try network.start()
        } catch {
            try? network.undefine()
            throw error
        }
    }

    func updateNetwork(_ resource: Resource, connection: LibvirtConnection) throws {
        guard let spec = resource.typedSpec(NetworkSpec.self) else { throw NovaError(.invalidRequest, "\(resource.reference) has an unreadable spec") }
        guard let existing = try connection.network(named: resource.name) else {
            throw NovaError(.notFound, "network \(resource.name) does not exist in libvirt")
        }
        let wasActive = existing.isActive
        let network = try connection.defineNetwork(xml: LibvirtXML.network(name: resource.name, uuid: existing.uuid, spec: resource.spec, typed: spec))
        // Addressing changes take effect when the network restarts.
        if wasActive {
            try network.destroy()
            try network.start()
        }
    }

    func createVolume(_ resource: Resource, connection: LibvirtConnection) throws {
        let name = LibvirtXML.Names.volume(resource.name)
        let pool = try pool(connection)
        if try pool.volume(named: name) != nil { throw NovaError(.alreadyExists, "libvirt already has a volume named \(name)") }
        _ = try pool.createVolume(xml: LibvirtXML.volume(name: name, sizeGiB: resource.spec["sizeGiB"]?.intValue ?? 1))
    }

    func createTemplate(_ resource: Resource, connection: LibvirtConnection) throws {
        let name = LibvirtXML.Names.template(resource.name)
        let pool = try pool(connection)
        if try pool.volume(named: name) != nil { throw NovaError(.alreadyExists, "libvirt already has a volume named \(name)") }
        _ = try pool.createVolume(xml: LibvirtXML.volume(name: name, sizeGiB: resource.spec["defaults"]?["diskGiB"]?.intValue ?? 20))
    }
}

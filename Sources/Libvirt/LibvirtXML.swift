import Foundation
import NovaCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Builds libvirt XML with an XML writer (never by pasting user text into strings) and reads
/// back the parts NovaCron observes.
enum LibvirtXML {
    static let namespace = "https://novacron.io/xml/1"

    /// How NovaCron names what it owns in a storage pool.
    enum Names {
        static let prefix = "novacron-"
        static func volume(_ name: String) -> String { "\(prefix)vol-\(name)" }
        static func template(_ name: String) -> String { "\(prefix)tpl-\(name)" }
        static func rootDisk(_ vm: String) -> String { "\(prefix)root-\(vm)" }
    }

    private static func element(_ name: String, _ text: String? = nil, _ attributes: [(String, String)] = [], _ children: [XMLElement] = []) -> XMLElement {
        SharedLibraries.ready
        let element = XMLElement(name: name)
        if let text { element.stringValue = text }
        for (key, value) in attributes {
            if let attribute = XMLNode.attribute(withName: key, stringValue: value) as? XMLNode { element.addAttribute(attribute) }
        }
        for child in children { element.addChild(child) }
        return element
    }

    /// `<metadata><nc:resource xmlns:nc="…">{spec as JSON}</nc:resource></metadata>`: what NovaCron
    /// asked for, so observation can report settings the hypervisor does not model, and a mark
    /// that NovaCron owns the object.
    private static func metadata(_ value: Value) -> XMLElement {
        SharedLibraries.ready
        let resource = XMLElement(name: "nc:resource", uri: namespace)
        if let ns = XMLNode.namespace(withName: "nc", stringValue: namespace) as? XMLNode { resource.addNamespace(ns) }
        resource.stringValue = value.canonicalJSON
        return element("metadata", nil, [], [resource])
    }

    private static func render(_ root: XMLElement) -> String {
        XMLDocument(rootElement: root).xmlString(options: [.nodePrettyPrint])
    }

    /// - Parameter uuid: the existing domain's, when redefining it (libvirt matches on it).
    static func domain(name: String, uuid: String? = nil, spec: Value, typed: VMSpec, domainType: String, pool: String) -> String {
        var devices: [XMLElement] = [
            element(
                "disk", nil, [("type", "volume"), ("device", "disk")],
                [
                    element("driver", nil, [("name", "qemu"), ("type", "qcow2")]),
                    element("source", nil, [("pool", pool), ("volume", Names.rootDisk(name))]),
                    element("target", nil, [("dev", "vda"), ("bus", "virtio")]),
                ])
        ]
        let used = Set(typed.volumes.compactMap(\.device))
        var spare = (UnicodeScalar("b").value...UnicodeScalar("z").value).compactMap(UnicodeScalar.init).map { "vd\($0)" }.filter { !used.contains($0) }
            .makeIterator()
        for attachment in typed.volumes {
            let device = attachment.device ?? spare.next() ?? "vdz"
            devices.append(
                element(
                    "disk", nil, [("type", "volume"), ("device", "disk")],
                    [
                        element("driver", nil, [("name", "qemu"), ("type", "qcow2")]),
                        element("source", nil, [("pool", pool), ("volume", Names.volume(attachment.volume))]),
                        element("target", nil, [("dev", device), ("bus", "virtio")]),
                        element("serial", attachment.volume),
                    ]))
        }
        for attachment in typed.networks {
            devices.append(
                element(
                    "interface", nil, [("type", "network")],
                    [
                        element("source", nil, [("network", attachment.network)]),
                        element("model", nil, [("type", "virtio")]),
                    ]))
        }
        let root = element(
            "domain", nil, [("type", domainType)],
            [
                element("name", name)
            ] + (uuid.map { [element("uuid", $0)] } ?? []) + [
                metadata(spec),
                element("memory", String(typed.memoryMiB), [("unit", "MiB")]),
                element("currentMemory", String(typed.memoryMiB), [("unit", "MiB")]),
                element("vcpu", String(typed.vcpus)),
                element("os", nil, [], [element("type", "hvm"), element("boot", nil, [("dev", "hd")])]),
                element("on_crash", "destroy"),
                element("devices", nil, [], devices),
            ])
        return render(root)
    }

    static func network(name: String, uuid: String? = nil, spec: Value, typed: NetworkSpec) -> String {
        var children = [element("name", name)] + (uuid.map { [element("uuid", $0)] } ?? [])
        children += [metadata(spec), element("forward", nil, [("mode", "nat")])]
        if let cidr = CIDR(typed.cidr) {
            let gateway = typed.gateway ?? firstHost(of: cidr)
            var ipChildren: [XMLElement] = []
            if typed.dhcp.enabled, cidr.address.isIPv4 {
                let start = typed.dhcp.rangeStart ?? host(of: cidr, offset: 100)
                let end = typed.dhcp.rangeEnd ?? host(of: cidr, offset: 200)
                ipChildren.append(element("dhcp", nil, [], [element("range", nil, [("start", start), ("end", end)])]))
            }
            var attributes = [("address", gateway), ("prefix", String(cidr.prefixLength))]
            if !cidr.address.isIPv4 { attributes.append(("family", "ipv6")) }
            children.append(element("ip", nil, attributes, ipChildren))
        }
        return render(element("network", nil, [], children))
    }

    static func volume(name: String, sizeGiB: Int) -> String {
        render(
            element(
                "volume", nil, [],
                [
                    element("name", name),
                    element("capacity", String(sizeGiB), [("unit", "GiB")]),
                    element("target", nil, [], [element("format", nil, [("type", "qcow2")])]),
                ]))
    }

    static func firstHost(of cidr: CIDR) -> String { host(of: cidr, offset: 1) }

    /// The address `offset` past the network address (IPv4 only; IPv6 falls back to the address).
    static func host(of cidr: CIDR, offset: UInt32) -> String {
        guard cidr.address.isIPv4 else { return cidr.address.description }
        let base = cidr.address.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let mask: UInt32 = cidr.prefixLength == 0 ? 0 : ~UInt32(0) << (32 - UInt32(cidr.prefixLength))
        let value = (base & mask) &+ offset
        return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
    }

    // MARK: - Reading back

    struct DomainDescription {
        var metadata: Value?
        var vcpus: Int?
        var memoryKiB: Int?
        /// Volume names (in the pool) by target device, in document order.
        var disks: [(device: String, volume: String)] = []
        var networks: [String] = []
    }

    static func parseDomain(_ xml: String) throws -> DomainDescription {
        let root = try document(xml)
        var description = DomainDescription()
        description.metadata = metadataValue(in: root)
        if let vcpu = root.elements(forName: "vcpu").first {
            description.vcpus = Int(vcpu.attribute(forName: "current")?.stringValue ?? vcpu.stringValue ?? "")
        }
        if let memory = root.elements(forName: "currentMemory").first ?? root.elements(forName: "memory").first {
            description.memoryKiB = Int(memory.stringValue ?? "").map { kibibytes($0, unit: memory.attribute(forName: "unit")?.stringValue) }
        }
        for devices in root.elements(forName: "devices") {
            for disk in devices.elements(forName: "disk") {
                guard let volume = disk.elements(forName: "source").first?.attribute(forName: "volume")?.stringValue,
                    let device = disk.elements(forName: "target").first?.attribute(forName: "dev")?.stringValue
                else { continue }
                description.disks.append((device, volume))
            }
            for interface in devices.elements(forName: "interface") {
                if let network = interface.elements(forName: "source").first?.attribute(forName: "network")?.stringValue {
                    description.networks.append(network)
                }
            }
        }
        return description
    }

    struct NetworkDescription {
        var metadata: Value?
        var address: String?
        var prefix: Int?
        var dhcpRange: (start: String, end: String)?
    }

    static func parseNetwork(_ xml: String) throws -> NetworkDescription {
        let root = try document(xml)
        var description = NetworkDescription()
        description.metadata = metadataValue(in: root)
        if let ip = root.elements(forName: "ip").first {
            description.address = ip.attribute(forName: "address")?.stringValue
            description.prefix = ip.attribute(forName: "prefix")?.stringValue.flatMap { Int($0) }
            if description.prefix == nil, let netmask = ip.attribute(forName: "netmask")?.stringValue, let mask = IPAddress(netmask) {
                description.prefix = mask.bytes.reduce(0) { $0 + $1.nonzeroBitCount }
            }
            if let range = ip.elements(forName: "dhcp").first?.elements(forName: "range").first,
                let start = range.attribute(forName: "start")?.stringValue, let end = range.attribute(forName: "end")?.stringValue
            {
                description.dhcpRange = (start, end)
            }
        }
        return description
    }

    private static func document(_ xml: String) throws -> XMLElement {
        SharedLibraries.ready
        do {
            guard let root = try XMLDocument(xmlString: xml, options: []).rootElement() else {
                throw NovaError(.infrastructure, "libvirt returned an empty XML document")
            }
            return root
        } catch let error as NovaError {
            throw error
        } catch {
            throw NovaError(.infrastructure, "libvirt returned XML NovaCron cannot read: \(error)")
        }
    }

    private static func metadataValue(in root: XMLElement) -> Value? {
        guard let metadata = root.elements(forName: "metadata").first else { return nil }
        for child in metadata.children ?? [] where child.localName == "resource" {
            if let element = child as? XMLElement, element.uri == namespace || element.uri == nil, let text = element.stringValue {
                return try? Value(json: text)
            }
        }
        return nil
    }

    private static func kibibytes(_ amount: Int, unit: String?) -> Int {
        switch unit?.lowercased() {
        case "b", "bytes": amount / 1024
        case "m", "mib": amount * 1024
        case "g", "gib": amount * 1024 * 1024
        default: amount
        }
    }
}

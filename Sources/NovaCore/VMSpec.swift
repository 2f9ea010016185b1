/// The desired state of a virtual machine.
public struct VMSpec: ResourceSpec, Hashable {
    public enum PowerState: String, Sendable, CaseIterable { case running, stopped }

    public var vcpus: Int
    public var memoryMiB: Int
    public var diskGiB: Int
    /// A `Template` resource to build from; or `image`, a base image reference.
    public var template: String?
    public var image: String?
    public var networks: [NetworkAttachment]
    public var volumes: [VolumeAttachment]
    public var placement: Placement
    public var security: Security
    public var powerState: PowerState

    public struct NetworkAttachment: Sendable, Hashable {
        public var network: String
        public var ipAddress: String?

        public init(network: String, ipAddress: String? = nil) {
            self.network = network
            self.ipAddress = ipAddress
        }
    }

    public struct VolumeAttachment: Sendable, Hashable {
        public var volume: String
        public var device: String?

        public init(volume: String, device: String? = nil) {
            self.volume = volume
            self.device = device
        }
    }

    /// Hints for the scheduler: a host, a zone, or a group whose members avoid sharing a host.
    public struct Placement: Sendable, Hashable {
        public var host: String?
        public var zone: String?
        public var antiAffinityGroup: String?

        public init(host: String? = nil, zone: String? = nil, antiAffinityGroup: String? = nil) {
            self.host = host
            self.zone = zone
            self.antiAffinityGroup = antiAffinityGroup
        }
    }

    public struct Security: Sendable, Hashable {
        public var diskEncryption: Bool
        public var sshRootLogin: Bool
        public var openPorts: [OpenPort]

        public init(diskEncryption: Bool = false, sshRootLogin: Bool = false, openPorts: [OpenPort] = []) {
            self.diskEncryption = diskEncryption
            self.sshRootLogin = sshRootLogin
            self.openPorts = openPorts
        }
    }

    public struct OpenPort: Sendable, Hashable {
        public var port: Int
        public var `protocol`: String
        public var source: String

        public init(port: Int, protocol: String = "tcp", source: String = "0.0.0.0/0") {
            self.port = port
            self.protocol = `protocol`
            self.source = source
        }
    }

    public static let vcpuRange = 1...256
    public static let memoryRange = 128...4_194_304
    public static let diskRange = 1...65_536

    public init(
        vcpus: Int, memoryMiB: Int, diskGiB: Int = 20, template: String? = nil, image: String? = nil,
        networks: [NetworkAttachment] = [], volumes: [VolumeAttachment] = [],
        placement: Placement = Placement(), security: Security = Security(),
        powerState: PowerState = .running
    ) {
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.diskGiB = diskGiB
        self.template = template
        self.image = image
        self.networks = networks
        self.volumes = volumes
        self.placement = placement
        self.security = security
        self.powerState = powerState
    }

    public static func read(_ r: inout ObjectReader) -> VMSpec? {
        let vcpus = r.int("vcpus", required: true, in: vcpuRange)
        let memory = r.int("memoryMiB", required: true, in: memoryRange)
        let disk = r.int("diskGiB", in: diskRange) ?? 20
        let template = r.string("template")
        let image = r.string("image")
        if template == nil && image == nil { r.report("template", code: "required_field", "one of template or image is required") }
        if template != nil && image != nil { r.report("image", code: "conflicting_fields", "give template or image, not both") }
        let networks = r.array("networks") { value, path, diags -> NetworkAttachment? in
            var n = ObjectReader(value, at: path)
            let name = n.string("network", required: true)
            let ip = n.string("ipAddress")
            if let ip, IPAddress(ip) == nil { n.report("ipAddress", code: "invalid_value", "\"\(ip)\" is not an IP address") }
            diags += n.finish()
            return name.map { NetworkAttachment(network: $0, ipAddress: ip) }
        }
        reportDuplicates(networks.map(\.network), field: "networks", what: "network", in: &r)
        let volumes = r.array("volumes") { value, path, diags -> VolumeAttachment? in
            var v = ObjectReader(value, at: path)
            let name = v.string("volume", required: true)
            let device = v.string("device")
            if let device, !device.hasPrefix("vd") || device.count != 3 || !(device.last!.isLowercase) {
                v.report("device", code: "invalid_value", "must be a virtio device name such as vdb, got \"\(device)\"")
            }
            diags += v.finish()
            return name.map { VolumeAttachment(volume: $0, device: device) }
        }
        reportDuplicates(volumes.map(\.volume), field: "volumes", what: "volume", in: &r)
        let placement =
            r.object("placement") { p in
                Placement(host: p.string("host"), zone: p.string("zone"), antiAffinityGroup: p.string("antiAffinityGroup"))
            } ?? Placement()
        let security =
            r.object("security") { s -> Security in
                let encryption = s.bool("diskEncryption") ?? false
                let root = s.bool("sshRootLogin") ?? false
                let ports = s.array("openPorts") { value, path, diags -> OpenPort? in
                    var p = ObjectReader(value, at: path)
                    let port = p.int("port", required: true, in: 1...65_535)
                    let proto = p.choice("protocol", ["tcp", "udp"]) ?? "tcp"
                    let source = p.string("source") ?? "0.0.0.0/0"
                    if CIDR(source) == nil { p.report("source", code: "invalid_value", "\"\(source)\" is not a CIDR such as 10.0.0.0/8") }
                    diags += p.finish()
                    return port.map { OpenPort(port: $0, protocol: proto, source: source) }
                }
                return Security(diskEncryption: encryption, sshRootLogin: root, openPorts: ports)
            } ?? Security(diskEncryption: false, sshRootLogin: false, openPorts: [])
        let power = r.choice("powerState", PowerState.allCases.map(\.rawValue)).flatMap(PowerState.init(rawValue:)) ?? .running
        guard let vcpus, let memory else { return nil }
        return VMSpec(
            vcpus: vcpus, memoryMiB: memory, diskGiB: disk, template: template, image: image, networks: networks,
            volumes: volumes, placement: placement, security: security, powerState: power)
    }

    public var value: Value {
        var fields: [String: Value] = [
            "vcpus": .int(vcpus), "memoryMiB": .int(memoryMiB), "diskGiB": .int(diskGiB), "powerState": .string(powerState.rawValue),
            "networks": .array(
                networks.map { n in
                    var f: [String: Value] = ["network": .string(n.network)]
                    if let ip = n.ipAddress { f["ipAddress"] = .string(ip) }
                    return .object(f)
                }),
            "volumes": .array(
                volumes.map { v in
                    var f: [String: Value] = ["volume": .string(v.volume)]
                    if let device = v.device { f["device"] = .string(device) }
                    return .object(f)
                }),
            "security": [
                "diskEncryption": .bool(security.diskEncryption), "sshRootLogin": .bool(security.sshRootLogin),
                "openPorts": .array(security.openPorts.map { ["port": .int($0.port), "protocol": .string($0.protocol), "source": .string($0.source)] }),
            ],
        ]
        if let template { fields["template"] = .string(template) }
        if let image { fields["image"] = .string(image) }
        var place: [String: Value] = [:]
        if let host = placement.host { place["host"] = .string(host) }
        if let zone = placement.zone { place["zone"] = .string(zone) }
        if let group = placement.antiAffinityGroup { place["antiAffinityGroup"] = .string(group) }
        if !place.isEmpty { fields["placement"] = .object(place) }
        return .object(fields)
    }
}

func reportDuplicates(_ names: [String], field: String, what: String, in reader: inout ObjectReader) {
    var seen: Set<String> = []
    for name in names where !seen.insert(name).inserted {
        reader.report(field, code: "duplicate_entry", "\(what) \"\(name)\" is listed more than once")
    }
}

import NovaCore

/// `novacron_vm`: a virtual machine.
///
/// Schema version 1. At version 0 the memory size was named `memory_mb`; a state stored at
/// version 0 is upgraded by renaming it.
struct VMMapping: KindMapping {
    static let typeName = "novacron_vm"
    static let kindName = "VM"
    static let plural = "vms"
    static let summary = "A virtual machine managed by NovaCron. Create and update wait until the VM is placed and in its power state."
    static let specKind: ResourceKind? = .vm
    static let schemaVersion = 1

    static let attributes: [Attribute] = [
        .required("vcpus", .number, "Virtual CPUs (1–256)."),
        .required("memory_mib", .number, "Memory in MiB (128–4194304)."),
        .optional("disk_gib", .number, "Root disk size in GiB.", default: .number(20)),
        .optional("template", .string, "Name of a novacron_template to build from (or give image). Changing it replaces the VM.", requiresReplace: true),
        .optional("image", .string, "Base image reference (or give template). Changing it replaces the VM.", requiresReplace: true),
        .optional("power_state", .string, "running or stopped.", default: .string("running")),
        .optional("disk_encryption", .bool, "Encrypt the root disk. Changing it replaces the VM.", default: .bool(false), requiresReplace: true),
        .optional("ssh_root_login", .bool, "Allow SSH logins as root.", default: .bool(false)),
        .optional("host", .string, "Pin the VM to this host."),
        .optional("zone", .string, "Place the VM in this zone."),
        .optional("anti_affinity_group", .string, "VMs of one group avoid sharing a host."),
        .computed("phase", .string, "What the infrastructure reports: running, stopped, failed…", keepsPriorValue: false),
        .computed("placed_host", .string, "The host the VM runs on.", keepsPriorValue: false),
    ]

    static let blocks: [NestedBlock] = [
        NestedBlock(
            name: "network",
            block: Block(
                description: "A network attachment.",
                attributes: [
                    .required("name", .string, "The novacron_network to attach to."),
                    .optional("ip_address", .string, "A fixed address on that network."),
                ], blocks: []), nesting: .list),
        NestedBlock(
            name: "volume",
            block: Block(
                description: "A volume attachment.",
                attributes: [
                    .required("name", .string, "The novacron_storage volume to attach."),
                    .optional("device", .string, "Virtio device name such as vdb."),
                ], blocks: []), nesting: .list),
        NestedBlock(
            name: "open_port",
            block: Block(
                description: "A port open to a source range.",
                attributes: [
                    .required("port", .number, "Port number (1–65535)."),
                    .optional("protocol", .string, "tcp or udp.", default: .string("tcp")),
                    .optional("source", .string, "CIDR allowed to connect.", default: .string("0.0.0.0/0")),
                ], blocks: []), nesting: .list),
    ]

    static let fieldAttributes = [
        "spec.vcpus": "vcpus", "spec.memoryMiB": "memory_mib", "spec.diskGiB": "disk_gib", "spec.template": "template",
        "spec.image": "image", "spec.powerState": "power_state", "spec.security.diskEncryption": "disk_encryption",
        "spec.security.sshRootLogin": "ssh_root_login", "spec.placement.host": "host", "spec.placement.zone": "zone",
        "spec.placement.antiAffinityGroup": "anti_affinity_group", "spec.networks": "network", "spec.volumes": "volume",
        "spec.security.openPorts": "open_port",
    ]

    static func spec(from value: TerraformValue) -> Value {
        var spec: [String: Value] = [:]
        spec.put("vcpus", value["vcpus"])
        spec.put("memoryMiB", value["memory_mib"])
        spec.put("diskGiB", value["disk_gib"])
        spec.put("template", value["template"])
        spec.put("image", value["image"])
        spec.put("powerState", value["power_state"])
        spec["networks"] = .array(
            (value["network"].elements ?? []).map { item in
                var fields: [String: Value] = [:]
                fields.put("network", item["name"])
                fields.put("ipAddress", item["ip_address"])
                return .object(fields)
            })
        spec["volumes"] = .array(
            (value["volume"].elements ?? []).map { item in
                var fields: [String: Value] = [:]
                fields.put("volume", item["name"])
                fields.put("device", item["device"])
                return .object(fields)
            })
        var placement: [String: Value] = [:]
        placement.put("host", value["host"])
        placement.put("zone", value["zone"])
        placement.put("antiAffinityGroup", value["anti_affinity_group"])
        if !placement.isEmpty { spec["placement"] = .object(placement) }
        var security: [String: Value] = [:]
        security.put("diskEncryption", value["disk_encryption"])
        security.put("sshRootLogin", value["ssh_root_login"])
        security["openPorts"] = .array(
            (value["open_port"].elements ?? []).map { item in
                var fields: [String: Value] = [:]
                fields.put("port", item["port"])
                fields.put("protocol", item["protocol"])
                fields.put("source", item["source"])
                return .object(fields)
            })
        spec["security"] = .object(security)
        return .object(spec)
    }

    static func references(in spec: Value) -> [(plural: String, name: String)] {
        (spec["networks"]?.arrayValue ?? []).compactMap { $0["network"]?.stringValue.map { ("networks", $0) } }
            + (spec["volumes"]?.arrayValue ?? []).compactMap { $0["volume"]?.stringValue.map { ("volumes", $0) } }
    }

    static var growOnlyAttributes: [String] { ["disk_gib"] }

    static func attributes(spec: Value, status: Value) -> [String: TerraformValue] {
        let security = spec["security"] ?? .null
        let placement = spec["placement"] ?? .null
        return [
            "vcpus": TerraformValue(spec["vcpus"]),
            "memory_mib": TerraformValue(spec["memoryMiB"]),
            "disk_gib": TerraformValue(spec["diskGiB"]),
            "template": TerraformValue(spec["template"]),
            "image": TerraformValue(spec["image"]),
            "power_state": TerraformValue(spec["powerState"]),
            "disk_encryption": TerraformValue(security["diskEncryption"]),
            "ssh_root_login": TerraformValue(security["sshRootLogin"]),
            "host": TerraformValue(placement["host"]),
            "zone": TerraformValue(placement["zone"]),
            "anti_affinity_group": TerraformValue(placement["antiAffinityGroup"]),
            "phase": TerraformValue(status["phase"]),
            "placed_host": TerraformValue(status["host"]),
            "network": .list(
                (spec["networks"]?.arrayValue ?? []).map { item in
                    .object(["name": TerraformValue(item["network"]), "ip_address": TerraformValue(item["ipAddress"])])
                }),
            "volume": .list(
                (spec["volumes"]?.arrayValue ?? []).map { item in
                    .object(["name": TerraformValue(item["volume"]), "device": TerraformValue(item["device"])])
                }),
            "open_port": .list(
                (security["openPorts"]?.arrayValue ?? []).map { item in
                    .object([
                        "port": TerraformValue(item["port"]), "protocol": TerraformValue(item["protocol"]),
                        "source": TerraformValue(item["source"]),
                    ])
                }),
        ]
    }

    static func upgrade(from version: Int, json: Value) throws -> Value {
        guard version == 0, case .object(var fields) = json else { return json }
        if let memory = fields.removeValue(forKey: "memory_mb") { fields["memory_mib"] = memory }
        return .object(fields)
    }
}

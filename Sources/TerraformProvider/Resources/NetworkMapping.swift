import NovaCore

/// `novacron_network`: a virtual network with DHCP and firewall rules.
struct NetworkMapping: KindMapping {
    static let typeName = "novacron_network"
    static let kindName = "Network"
    static let plural = "networks"
    static let summary = "A virtual network managed by NovaCron."
    static let specKind: ResourceKind? = .network

    static let attributes: [Attribute] = [
        .required("cidr", .string, "Address range, e.g. 10.20.0.0/24. Changing it replaces the network.", requiresReplace: true),
        .optional("vlan", .number, "VLAN id (1–4094)."),
        .optional("gateway", .string, "Gateway address inside the range."),
        .optional("dhcp_enabled", .bool, "Serve addresses by DHCP.", default: .bool(true)),
        .optional("dhcp_range_start", .string, "First DHCP address."),
        .optional("dhcp_range_end", .string, "Last DHCP address."),
        .computed("phase", .string, "What the infrastructure reports.", keepsPriorValue: false),
    ]

    static let blocks: [NestedBlock] = [
        NestedBlock(
            name: "firewall_rule",
            block: Block(
                description: "A firewall rule, applied in order.",
                attributes: [
                    .optional("name", .string, "A name for the rule."),
                    .optional("direction", .string, "ingress or egress.", default: .string("ingress")),
                    .optional("action", .string, "allow or deny.", default: .string("allow")),
                    .optional("protocol", .string, "tcp, udp, icmp or any.", default: .string("tcp")),
                    .optional("ports", .string, "A port (22) or a range (8000-8100)."),
                    .optional("cidr", .string, "Addresses the rule matches.", default: .string("0.0.0.0/0")),
                ], blocks: []), nesting: .list)
    ]

    static let fieldAttributes = [
        "spec.cidr": "cidr", "spec.vlan": "vlan", "spec.gateway": "gateway", "spec.dhcp.rangeStart": "dhcp_range_start",
        "spec.dhcp.rangeEnd": "dhcp_range_end", "spec.firewall": "firewall_rule",
    ]

    static func spec(from value: TerraformValue) -> Value {
        var spec: [String: Value] = [:]
        spec.put("cidr", value["cidr"])
        spec.put("vlan", value["vlan"])
        spec.put("gateway", value["gateway"])
        var dhcp: [String: Value] = [:]
        dhcp.put("enabled", value["dhcp_enabled"])
        dhcp.put("rangeStart", value["dhcp_range_start"])
        dhcp.put("rangeEnd", value["dhcp_range_end"])
        spec["dhcp"] = .object(dhcp)
        spec["firewall"] = .array(
            (value["firewall_rule"].elements ?? []).map { rule in
                var fields: [String: Value] = [:]
                for (attribute, field) in [
                    ("name", "name"), ("direction", "direction"), ("action", "action"), ("protocol", "protocol"),
                    ("ports", "ports"), ("cidr", "cidr"),
                ] {
                    fields.put(field, rule[attribute])
                }
                return .object(fields)
            })
        return .object(spec)
    }

    static func attributes(spec: Value, status: Value) -> [String: TerraformValue] {
        let dhcp = spec["dhcp"] ?? .null
        return [
            "cidr": TerraformValue(spec["cidr"]),
            "vlan": TerraformValue(spec["vlan"]),
            "gateway": TerraformValue(spec["gateway"]),
            "dhcp_enabled": TerraformValue(dhcp["enabled"]),
            "dhcp_range_start": TerraformValue(dhcp["rangeStart"]),
            "dhcp_range_end": TerraformValue(dhcp["rangeEnd"]),
            "phase": TerraformValue(status["phase"]),
            "firewall_rule": .list(
                (spec["firewall"]?.arrayValue ?? []).map { rule in
                    .object([
                        "name": TerraformValue(rule["name"]), "direction": TerraformValue(rule["direction"]),
                        "action": TerraformValue(rule["action"]), "protocol": TerraformValue(rule["protocol"]),
                        "ports": TerraformValue(rule["ports"]), "cidr": TerraformValue(rule["cidr"]),
                    ])
                }),
        ]
    }
}

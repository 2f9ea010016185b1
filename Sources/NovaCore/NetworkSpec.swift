/// The desired state of a virtual network.
public struct NetworkSpec: ResourceSpec, Hashable {
    public var cidr: String
    public var vlan: Int?
    public var gateway: String?
    public var dhcp: DHCP
    public var firewall: [FirewallRule]

    public struct DHCP: Sendable, Hashable {
        public var enabled: Bool
        public var rangeStart: String?
        public var rangeEnd: String?
    }

    public struct FirewallRule: Sendable, Hashable {
        public var name: String?
        public var direction: String
        public var action: String
        public var `protocol`: String
        /// A port (`22`), a range (`8000-8100`), or nil for all ports.
        public var ports: String?
        public var cidr: String
    }

    public static func read(_ r: inout ObjectReader) -> NetworkSpec? {
        let cidrText = r.string("cidr", required: true)
        var cidr: CIDR?
        if let cidrText {
            cidr = CIDR(cidrText)
            if cidr == nil {
                r.report("cidr", code: "invalid_value", "\"\(cidrText)\" is not a CIDR such as 10.0.0.0/24")
            } else if cidr!.hasHostBits {
                r.report("cidr", code: "invalid_value", "\"\(cidrText)\" has host bits set past the prefix")
            }
        }
        let vlan = r.int("vlan", in: 1...4094)
        let gateway = r.string("gateway")
        if let gateway {
            if let ip = IPAddress(gateway) {
                if let cidr, !cidr.contains(ip) { r.report("gateway", code: "invalid_value", "\(gateway) is outside \(cidr)") }
            } else {
                r.report("gateway", code: "invalid_value", "\"\(gateway)\" is not an IP address")
            }
        }
        let dhcp =
            r.object("dhcp") { d -> DHCP in
                let enabled = d.bool("enabled") ?? true
                let start = d.string("rangeStart"), end = d.string("rangeEnd")
                for (field, text) in [("rangeStart", start), ("rangeEnd", end)] {
                    guard let text else { continue }
                    guard let ip = IPAddress(text) else { d.report(field, code: "invalid_value", "\"\(text)\" is not an IP address"); continue }
                    if let cidr, !cidr.contains(ip) { d.report(field, code: "invalid_value", "\(text) is outside \(cidr)") }
                }
                if let s = start.flatMap(IPAddress.init), let e = end.flatMap(IPAddress.init), s.bytes.count == e.bytes.count,
                    e.bytes.lexicographicallyPrecedes(s.bytes)
                {
                    d.report("rangeEnd", code: "invalid_value", "must not come before rangeStart")
                }
                return DHCP(enabled: enabled, rangeStart: start, rangeEnd: end)
            } ?? DHCP(enabled: true, rangeStart: nil, rangeEnd: nil)
        let rules = r.array("firewall") { value, path, diags -> FirewallRule? in
            var f = ObjectReader(value, at: path)
            let name = f.string("name")
            let direction = f.choice("direction", ["ingress", "egress"]) ?? "ingress"
            let action = f.choice("action", ["allow", "deny"]) ?? "allow"
            let proto = f.choice("protocol", ["tcp", "udp", "icmp", "any"]) ?? "tcp"
            var ports: String?
            if let raw = f.raw("ports") {
                ports = raw.intValue.map(String.init) ?? raw.stringValue
                if ports.flatMap(FirewallRule.portRange) == nil {
                    f.report("ports", code: "invalid_value", "must be a port (22) or a range (8000-8100) within 1–65535")
                }
            }
            let source = f.string("cidr") ?? "0.0.0.0/0"
            if CIDR(source) == nil { f.report("cidr", code: "invalid_value", "\"\(source)\" is not a CIDR such as 10.0.0.0/8") }
            diags += f.finish()
            return FirewallRule(name: name, direction: direction, action: action, protocol: proto, ports: ports, cidr: source)
        }
        guard let cidrText else { return nil }
        return NetworkSpec(cidr: cidrText, vlan: vlan, gateway: gateway, dhcp: dhcp, firewall: rules)
    }

    public var value: Value {
        var dhcpFields: [String: Value] = ["enabled": .bool(dhcp.enabled)]
        if let s = dhcp.rangeStart { dhcpFields["rangeStart"] = .string(s) }
        if let e = dhcp.rangeEnd { dhcpFields["rangeEnd"] = .string(e) }
        var fields: [String: Value] = [
            "cidr": .string(cidr), "dhcp": .object(dhcpFields),
            "firewall": .array(
                firewall.map { rule in
                    var f: [String: Value] = [
                        "direction": .string(rule.direction), "action": .string(rule.action),
                        "protocol": .string(rule.protocol), "cidr": .string(rule.cidr),
                    ]
                    if let name = rule.name { f["name"] = .string(name) }
                    if let ports = rule.ports { f["ports"] = .string(ports) }
                    return .object(f)
                }),
        ]
        if let vlan { fields["vlan"] = .int(vlan) }
        if let gateway { fields["gateway"] = .string(gateway) }
        return .object(fields)
    }
}

extension NetworkSpec.FirewallRule {
    /// Parses `22` or `8000-8100` into a closed range of valid ports.
    public static func portRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let low = Int(parts[0]), let high = parts.count == 2 ? Int(parts[1]) : low,
            1 <= low, low <= high, high <= 65_535
        else { return nil }
        return low...high
    }
}

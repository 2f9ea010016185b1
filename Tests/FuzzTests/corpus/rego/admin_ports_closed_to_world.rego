# METADATA
# title: Administrative ports are never open to the whole internet
# description: SSH, RDP, VNC, Docker and Kubernetes API ports may not accept 0.0.0.0/0 or ::/0, on a VM or a network's firewall.
# custom:
#   enforcement: block
#   kinds: [VM, Network]
#   operations: [create, update]
package novacron.admin_ports

admin_ports := {22, 2375, 2376, 3389, 5900, 6443}

everyone(cidr) if cidr in {"0.0.0.0/0", "::/0"}

# "22" or a range "20-30"; a rule without ports covers them all.
covers(rule, port) if not rule.ports

covers(rule, port) if to_number(rule.ports) == port

covers(rule, port) if {
	bounds := split(rule.ports, "-")
	count(bounds) == 2
	to_number(bounds[0]) <= port
	port <= to_number(bounds[1])
}

deny contains msg if {
	input.resource.kind == "VM"
	some open in input.resource.spec.security.openPorts
	open.port in admin_ports
	everyone(object.get(open, "source", "0.0.0.0/0"))
	msg := sprintf("VM %s opens admin port %d to %s", [input.resource.metadata.name, open.port, object.get(open, "source", "0.0.0.0/0")])
}

deny contains msg if {
	input.resource.kind == "Network"
	some rule in input.resource.spec.firewall
	object.get(rule, "direction", "ingress") == "ingress"
	object.get(rule, "action", "allow") == "allow"
	everyone(object.get(rule, "cidr", "0.0.0.0/0"))
	some port in admin_ports
	covers(rule, port)
	msg := sprintf("network %s lets the internet reach admin port %d (firewall rule %s)", [input.resource.metadata.name, port, object.get(rule, "name", "unnamed")])
}

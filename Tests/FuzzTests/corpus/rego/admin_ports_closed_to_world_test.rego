package novacron.admin_ports_test

import data.novacron.admin_ports

test_ssh_open_to_world_is_denied if {
	vm := {"kind": "VM", "metadata": {"name": "web"}, "spec": {"security": {"openPorts": [{"port": 22, "source": "0.0.0.0/0"}, {"port": 443}]}}}
	admin_ports.deny == {"VM web opens admin port 22 to 0.0.0.0/0"} with input as {"resource": vm}
}

test_ssh_from_the_office_is_allowed if {
	vm := {"kind": "VM", "metadata": {"name": "web"}, "spec": {"security": {"openPorts": [{"port": 22, "source": "203.0.113.0/24"}]}}}
	count(admin_ports.deny) == 0 with input as {"resource": vm}
}

test_firewall_range_covering_rdp_is_denied if {
	net := {"kind": "Network", "metadata": {"name": "dmz"}, "spec": {"firewall": [{"name": "wide", "ports": "3000-4000", "cidr": "0.0.0.0/0"}]}}
	admin_ports.deny == {"network dmz lets the internet reach admin port 3389 (firewall rule wide)"} with input as {"resource": net}
}

test_egress_and_deny_rules_are_fine if {
	net := {"kind": "Network", "metadata": {"name": "dmz"}, "spec": {"firewall": [
		{"direction": "egress", "ports": "22"},
		{"action": "deny", "ports": "22"},
	]}}
	count(admin_ports.deny) == 0 with input as {"resource": net}
}

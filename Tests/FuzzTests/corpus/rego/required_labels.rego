# METADATA
# title: Every VM, network and volume says who owns it and who pays
# custom:
#   enforcement: block
#   kinds: [VM, Network, Volume]
#   operations: [create, update]
package novacron.required_labels

required := {"owner", "cost-center"}

deny contains msg if {
	some label in required
	not input.resource.metadata.labels[label]
	msg := {
		"msg": sprintf("%s %s needs the label %s", [input.resource.kind, input.resource.metadata.name, label]),
		"details": {"missing": label},
	}
}

warn contains msg if {
	input.resource.metadata.labels.owner
	not contains(input.resource.metadata.labels.owner, "@")
	msg := sprintf("owner %q of %s is not an email address", [input.resource.metadata.labels.owner, input.resource.metadata.name])
}

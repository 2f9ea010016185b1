# METADATA
# title: No SSH root login
# custom:
#   enforcement: block
#   kinds: [VM]
#   operations: [create, update]
package novacron.no_ssh_root_login

deny contains msg if {
	input.resource.spec.security.sshRootLogin == true
	msg := sprintf("VM %s must not allow SSH root login (spec.security.sshRootLogin)", [input.resource.metadata.name])
}

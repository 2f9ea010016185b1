# METADATA
# title: Production VMs and volumes are encrypted
# custom:
#   enforcement: block
#   kinds: [VM, Volume]
#   operations: [create, update]
package novacron.encrypted_disks

production if input.resource.metadata.labels.env == "prod"

deny contains msg if {
	production
	input.resource.kind == "VM"
	not input.resource.spec.security.diskEncryption
	msg := sprintf("production VM %s must set spec.security.diskEncryption: true", [input.resource.metadata.name])
}

deny contains msg if {
	production
	input.resource.kind == "Volume"
	not input.resource.spec.encrypted
	msg := sprintf("production volume %s must be encrypted (spec.encrypted: true)", [input.resource.metadata.name])
}

# A NovaCron-style admission rule written in Rego: VMs in production need encrypted disks,
# an owner label, and at most 32 vCPUs.
package novacron.vm_limits

deny contains msg if {
	input.resource.metadata.labels.env == "prod"
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource
	some disk in input.resource.spec.disks
	not disk.encrypted
	msg := sprintf("disk %s of a production VM must be encrypted", [disk.name])
}

deny contains "production VMs need an owner label" if {
	input.resource.metadata.labels.env == "prod"
	not input.resource.metadata.labels.owner
}

deny contains msg if {
	input.resource.spec.vcpus > 32
	msg := sprintf("%d vCPUs is more than the limit of 32", [input.resource.spec.vcpus])
}

allow if count(deny) == 0

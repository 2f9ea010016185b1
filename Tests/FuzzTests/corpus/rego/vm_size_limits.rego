# METADATA
# title: VM sizes within each environment's limits
# description: dev and unlabelled VMs up to 4 vCPUs and 8 GiB, staging up to 8 and 32 GiB, prod up to 32 and 256 GiB.
# custom:
#   enforcement: block
#   kinds: [VM]
#   operations: [create, update]
package novacron.vm_size_limits

limits := {
	"dev": {"vcpus": 4, "memoryMiB": 8192},
	"staging": {"vcpus": 8, "memoryMiB": 32768},
	"prod": {"vcpus": 32, "memoryMiB": 262144},
}

environment := object.get(input.resource.metadata, ["labels", "env"], "dev")

limit := object.get(limits, environment, limits.dev)

deny contains msg if {
	input.resource.spec.vcpus > limit.vcpus
	msg := sprintf("%s VMs may have at most %d vCPUs; %s asks for %d", [environment, limit.vcpus, input.resource.metadata.name, input.resource.spec.vcpus])
}

deny contains msg if {
	input.resource.spec.memoryMiB > limit.memoryMiB
	msg := sprintf("%s VMs may have at most %d MiB of memory; %s asks for %d", [environment, limit.memoryMiB, input.resource.metadata.name, input.resource.spec.memoryMiB])
}

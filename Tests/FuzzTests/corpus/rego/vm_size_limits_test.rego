package novacron.vm_size_limits_test

import data.novacron.vm_size_limits

vm(env, vcpus, memory) := {"metadata": {"name": "app", "labels": {"env": env}}, "spec": {"vcpus": vcpus, "memoryMiB": memory}}

test_dev_limit if {
	vm_size_limits.deny == {"dev VMs may have at most 4 vCPUs; app asks for 8"} with input as {"resource": vm("dev", 8, 4096)}
}

test_prod_allows_more if count(vm_size_limits.deny) == 0 with input as {"resource": vm("prod", 16, 65536)}

test_unlabelled_counts_as_dev if {
	count(vm_size_limits.deny) == 2 with input as {"resource": {"metadata": {"name": "x"}, "spec": {"vcpus": 6, "memoryMiB": 16384}}}
}

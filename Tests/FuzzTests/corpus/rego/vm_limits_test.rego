package novacron.vm_limits_test

import data.novacron.vm_limits

prod_vm := {
	"metadata": {"labels": {"env": "prod", "owner": "team-web"}},
	"spec": {"vcpus": 4, "disks": [{"name": "root", "encrypted": true}]},
}

test_compliant_prod_vm_is_allowed if vm_limits.allow with input as {"resource": prod_vm}

test_unencrypted_disk_is_denied if {
	vm := json.patch(prod_vm, [{"op": "replace", "path": "/spec/disks/0/encrypted", "value": false}])
	vm_limits.deny == {"disk root of a production VM must be encrypted"} with input as {"resource": vm}
}

test_missing_owner_is_denied if {
	vm := json.remove(prod_vm, ["metadata/labels/owner"])
	"production VMs need an owner label" in vm_limits.deny with input as {"resource": vm}
}

test_too_many_vcpus_is_denied if {
	vm := object.union(prod_vm, {"spec": {"vcpus": 64}})
	count(vm_limits.deny) == 1 with input as {"resource": vm}
}

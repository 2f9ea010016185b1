package novacron.encrypted_disks_test

import data.novacron.encrypted_disks

vm(env, encrypted) := {"kind": "VM", "metadata": {"name": "db-1", "labels": {"env": env}}, "spec": {"security": {"diskEncryption": encrypted}}}

test_encrypted_production_vm_passes if count(encrypted_disks.deny) == 0 with input as {"resource": vm("prod", true)}

test_unencrypted_production_vm_is_denied if {
	encrypted_disks.deny == {"production VM db-1 must set spec.security.diskEncryption: true"} with input as {"resource": vm("prod", false)}
}

test_development_vm_may_be_unencrypted if count(encrypted_disks.deny) == 0 with input as {"resource": vm("dev", false)}

test_unencrypted_production_volume_is_denied if {
	volume := {"kind": "Volume", "metadata": {"name": "data", "labels": {"env": "prod"}}, "spec": {"sizeGiB": 10, "encrypted": false}}
	count(encrypted_disks.deny) == 1 with input as {"resource": volume}
}

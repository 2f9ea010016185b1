package novacron.no_ssh_root_login_test

import data.novacron.no_ssh_root_login

test_root_login_is_denied if {
	count(no_ssh_root_login.deny) == 1 with input as {"resource": {"metadata": {"name": "a"}, "spec": {"security": {"sshRootLogin": true}}}}
}

test_default_is_allowed if count(no_ssh_root_login.deny) == 0 with input as {"resource": {"metadata": {"name": "a"}, "spec": {}}}

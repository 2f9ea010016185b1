package novacron.required_labels_test

import data.novacron.required_labels

resource(labels) := {"kind": "VM", "metadata": {"name": "web", "labels": labels}}

test_both_labels_pass if {
	count(required_labels.deny) == 0 with input as {"resource": resource({"owner": "ana@example.com", "cost-center": "cc-42"})}
}

test_missing_labels_are_named if {
	messages := {m.msg | some m in required_labels.deny} with input as {"resource": resource({})}
	messages == {"VM web needs the label owner", "VM web needs the label cost-center"}
}

test_owner_should_be_an_email if {
	required_labels.warn == {"owner \"team-a\" of web is not an email address"} with input as {"resource": resource({"owner": "team-a", "cost-center": "cc-1"})}
}

package fuzz

deny contains msg if {
	x := [y | some y in numbers.range(1, 10)]
	count(x) + 1 * 2 - 3 > 0
	msg := sprintf("%v %5d %s", [x, 1, "a"])
}

package crash

r := abs(-9223372036854775808)
f := format_int(1e300, 10)

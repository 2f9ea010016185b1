#!/usr/bin/env bash
# Compares two novacron binaries by running them at the same time, one per core, N times,
# swapping which starts first; prints each pair's ratio B/A and their geometric mean.
# On a 2-core VM whose speed moves by ~1.4× from one minute to the next, back-to-back runs
# cannot separate a 10% change; running both at once puts them in the same minute.
#
#   Benchmarks/concurrent-ab.sh 6 old/novacron-bench new/novacron-bench rego FIXTURES --policies rbac
#   METRIC=cold Benchmarks/concurrent-ab.sh 6 old/novacron-bench new/novacron-bench policy --writes 100
#
# METRIC: `rego` (default: the last line's evals/CPU-s of `novacron-bench rego`), or `cold` / `warm`
# (decisions per second of `novacron-bench policy`).
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,12p' "$0" >&2; exit 1; }
runs=$1 a=$2 b=$3
shift 3
metric=${METRIC:-rego}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
value() {
    case $metric in
        rego) tail -1 "$1" | awk '{print $3}' ;;
        cold|warm) grep -o "$metric: *[0-9]*" "$1" | grep -o '[0-9]*$' ;;
        *) echo "unknown METRIC $metric" >&2; exit 1 ;;
    esac
}
pairs=""
for i in $(seq "$runs"); do
    if [ $((i % 2)) -eq 0 ]; then first=$a second=$b; else first=$b second=$a; fi
    "$first" "$@" > "$out/first" & p1=$!
    "$second" "$@" > "$out/second" & p2=$!
    wait $p1 $p2
    if [ "$first" = "$a" ]; then ra=$(value "$out/first") rb=$(value "$out/second"); else ra=$(value "$out/second") rb=$(value "$out/first"); fi
    echo "run $i: A $ra  B $rb" >&2
    pairs="$pairs $ra:$rb"
done
python3 - "$pairs" <<'PY'
import math, sys
pairs = [tuple(map(float, p.split(":"))) for p in sys.argv[1].split()]
ratios = [b / a for a, b in pairs]
print("A mean %.0f, B mean %.0f; B/A per pair %s; geometric mean %.3f" % (
    sum(a for a, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs),
    " ".join("%.2f" % r for r in ratios), math.exp(sum(map(math.log, ratios)) / len(ratios))))
PY

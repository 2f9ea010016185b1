#!/usr/bin/env bash
# NovaCron's Rego evaluator beside regorus (interpreter and compiled VM), OPA and rego-cpp on the
# two policies of ../shared/rego/bench.py (RBAC; Kubernetes admission with 21 deny rules):
# each prepared once, then single-threaded evaluations over the same input pool.
#
#   swift build -c release --product novacron-bench
#   Benchmarks/rego-vs-peers.sh                       # 10,000 evaluations, 3 runs of each engine (medians)
#   EVALS=2000 REPS=1 Benchmarks/rego-vs-peers.sh     # quicker
#
# The peers come from PyPI (../shared/rego/setup_engines.sh) into a venv cached under $REGO_PROBE.
# The peers' figures include their Python bindings' marshalling; NovaCron's run in-process in
# Swift, so the comparison favours NovaCron by that overhead (reported, not hidden).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_REGO:-$here/../shared/rego}
probe=${REGO_PROBE:-$HOME/.cache/novacron-rego-probe}
novacron=${NOVACRON_BENCH:-$here/.build/release/novacron-bench}
evals=${EVALS:-10000}
reps=${REPS:-3}
engines=${ENGINES:-regorus-rvm,regorus,opa,regopy}
[ -x "$novacron" ] || { echo "build first: swift build -c release --product novacron-bench" >&2; exit 1; }
[ -d "$shared" ] || { echo "no $shared (bench.py lives in ../shared/rego)" >&2; exit 1; }
mkdir -p "$probe"
[ -x "$probe/venv/bin/python" ] || bash "$shared/setup_engines.sh" "$probe/venv" >&2
fixtures="$probe/fixtures"
python3 "$shared/bench.py" --dump-fixtures "$fixtures"

# NovaCron runs before and after the peers (the machine's speed drifts; the medians are over both).
echo "== NovaCron (release, in-process)" >&2
"$novacron" rego "$fixtures" --evals "$evals" --reps "$reps" --json > "$probe/novacron-before.json"

echo "== decision cross-check: NovaCron against regorus on every input of both pools" >&2
"$probe/venv/bin/python" - "$fixtures" "$novacron" >&2 <<'PY'
import json, subprocess, sys
import regorus
fixtures, novacron = sys.argv[1], sys.argv[2]
def norm(v):
    return sorted(v) if isinstance(v, (list, set, frozenset)) else v
for name in ["rbac", "k8s"]:
    fx = json.load(open(f"{fixtures}/{name}.fixture.json")); policy = open(f"{fixtures}/{name}.rego").read()
    engine = regorus.Engine(); engine.add_policy(f"{name}.rego", policy); engine.add_data_json(json.dumps(fx["data"]))
    rule = fx["query"].split(":=")[1].strip()
    theirs, requests = [], []
    for x in fx["inputs"]:
        engine.set_input_json(json.dumps(x))
        v = engine.eval_rule(rule)
        theirs.append(norm(json.loads(v) if isinstance(v, str) else v))
        requests.append(json.dumps({"modules": [policy], "data": fx["data"], "input": x, "query": fx["query"]}))
    lines = subprocess.run([novacron, "rego-engine"], input="\n".join(requests), capture_output=True, text=True).stdout.splitlines()
    ours = [norm(r["result"][0]["x"]) if r.get("result") else None for r in map(json.loads, lines)]
    print(f"   {name}: {sum(a == b for a, b in zip(theirs, ours))}/{len(theirs)} decisions agree with regorus")
PY

echo "== peers (bench.py, $reps runs each, median)" >&2
"$probe/venv/bin/python" "$shared/bench.py" --evals "$evals" --reps "$reps" --engines "$engines" --json "$probe/peers.json" >&2

"$novacron" rego "$fixtures" --evals "$evals" --reps "$reps" --json > "$probe/novacron-after.json"

python3 - "$probe/novacron-before.json" "$probe/novacron-after.json" "$probe/peers.json" <<'PY'
import json, statistics, sys
ours = {}
for path in sys.argv[1:3]:
    for r in json.load(open(path)):
        ours.setdefault(r["policy"], []).extend(r["runs"])
ours = {p: {"evals_per_cpu_s": statistics.median(x["evals_per_cpu_s"] for x in runs),
            "p99_us": statistics.median(x["p99_us"] for x in runs)} for p, runs in ours.items()}
peers = json.load(open(sys.argv[3]))
print(f"{'policy':8} {'engine':14} {'evals/CPU-s':>12} {'p99 µs':>9}   NovaCron ÷ engine (evals/CPU-s; NovaCron's: the median of its runs before and after the peers)")
for policy, mine in ours.items():
    print(f"{policy:8} {'novacron':14} {mine['evals_per_cpu_s']:12.0f} {mine['p99_us']:9.1f}")
    best = 0
    for key, result in sorted(peers.items()):
        p, engine = key.split("/")
        if p != policy:
            continue
        med = result["median"]
        best = max(best, med["evals_per_cpu_s"])
        print(f"{'':8} {engine:14} {med['evals_per_cpu_s']:12.0f} {med['p99_us']:9.1f}   {mine['evals_per_cpu_s'] / med['evals_per_cpu_s']:.2f}×")
    if best:
        print(f"{'':8} target: 2× the best peer = {2 * best:.0f} evals/CPU-s; NovaCron is at {mine['evals_per_cpu_s'] / best:.2f}× the best")
PY

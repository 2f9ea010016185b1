#!/usr/bin/env bash
# NovaCron's workflow engine beside the Python orchestrators of ../shared/workflow, in one go:
# W1 (chain of 100), W2 (1,000 fan-out + join), W3 (100 runs of 10 steps), no-op steps.
#
#   swift build -c release --product novacron-bench
#   Benchmarks/workflow-vs-peers.sh                 # Luigi and Dagster (venvs from PyPI, cached)
#   PEERS="luigi dagster prefect airflow" Benchmarks/workflow-vs-peers.sh   # all four (Airflow installs slowly)
#   PEERS="luigi" Benchmarks/workflow-vs-peers.sh   # only Luigi
#
# Peers run one at a time (a 2-core machine), each in its own venv under $WF_PROBE.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_WORKFLOW:-$here/../shared/workflow}
probe=${WF_PROBE:-$HOME/.cache/novacron-wf-probe}
novacron=${NOVACRON_BENCH:-$here/.build/release/novacron-bench}
peers=${PEERS:-luigi dagster}
[ -x "$novacron" ] || { echo "build first: swift build -c release --product novacron-bench" >&2; exit 1; }
[ -d "$shared" ] || { echo "no $shared (the peers' scripts live in ../shared/workflow)" >&2; exit 1; }
mkdir -p "$probe/results"
out="$probe/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

venv() {  # venv NAME PACKAGES...
  local dir="$probe/$1-venv"; shift
  if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet "$@"
  fi
  echo "$dir/bin/python"
}

echo "== NovaCron (release build, median of 3 after a warm-up)" >&2
"$novacron" workflow --json --repetitions 3 > "$out/novacron.jsonl"

for peer in $peers; do
  case $peer in
    luigi)
      py=$(venv luigi luigi==3.8.1)
      for w in W1 W2 W3; do
        echo "== Luigi $w (local scheduler, 1 worker, marker files)" >&2
        rm -rf "$probe/state/luigi-$w"
        "$py" "$shared/bench_luigi.py" $w "$probe/state/luigi-$w" 1 | grep '^RESULT ' | sed 's/^RESULT //' >> "$out/luigi.jsonl"
      done ;;
    dagster)
      py=$(venv dagster "dagster==1.13.*")
      for cell in ephemeral:W1 ephemeral:W2 sqlite:W1; do   # Dagster on SQLite takes minutes per W2
        mode=${cell%%:*}; w=${cell##*:}
        {
          echo "== Dagster $w ($mode)" >&2
          home="$probe/state/dagster-$mode-$w"; rm -rf "$home"; mkdir -p "$home"
          DAGSTER_HOME="$home" BENCH_RESULT_FILE="$out/dagster.result" "$py" "$shared/bench_dagster.py" $w $mode > /dev/null 2>&1 || true
          [ -f "$out/dagster.result" ] && sed 's/^RESULT //' "$out/dagster.result" | sed "s/}\$/, \"mode\": \"$mode\"}/" >> "$out/dagster.jsonl" && echo >> "$out/dagster.jsonl"
          rm -f "$out/dagster.result"
        }
      done ;;
    prefect)
      py=$(venv prefect prefect==3.9.1)
      for w in W1 W2; do   # W3 (100 flows at once) fails on Prefect's local SQLite server; see ../shared/workflow/README.md
        echo "== Prefect $w (temporary local server, SQLite)" >&2
        home="$probe/state/prefect-$w"; rm -rf "$home"; mkdir -p "$home"
        PREFECT_HOME="$home" PREFECT_SERVER_ANALYTICS_ENABLED=false BENCH_RESULT_FILE="$out/prefect.result" \
          "$py" "$shared/bench_prefect.py" $w > /dev/null 2>&1 || true
        [ -f "$out/prefect.result" ] && sed 's/^RESULT //' "$out/prefect.result" >> "$out/prefect.jsonl" && echo >> "$out/prefect.jsonl"
        rm -f "$out/prefect.result"
      done ;;
    airflow)
      py=$(venv airflow apache-airflow==3.3.2)
      for cell in W1:dag_w1.py W2:dag_w2.py; do
        w=${cell%%:*}; dag=${cell##*:}
        echo "== Airflow 3 dag.test() $w (SQLite metadata DB)" >&2
        home="$probe/state/airflow-$w"
        WF_PROBE="$probe" bash "$shared/airflow_init.sh" "$home" dag_warm.py "$dag"
        AIRFLOW_HOME="$home" AIRFLOW__CORE__LOAD_EXAMPLES=False BENCH_RESULT_FILE="$out/airflow.result" \
          "$py" "$shared/bench_airflow_dagtest.py" $w > /dev/null 2>&1 || true
        [ -f "$out/airflow.result" ] && sed 's/^RESULT //' "$out/airflow.result" >> "$out/airflow.jsonl" && echo >> "$out/airflow.jsonl"
        rm -f "$out/airflow.result"
      done ;;
    *) echo "unknown peer $peer (luigi, dagster, prefect, airflow)" >&2 ;;
  esac
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    return [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []
ours = {(r["workload"], r["store"]): r["microsecondsPerStep"] / 1000 for r in load("novacron.jsonl")}
peers = []
for r in load("luigi.jsonl"):
    peers.append(("Luigi (1 worker, not durable)", r["workload"], r["per_step_ms"], "memory"))
for r in load("airflow.jsonl"):
    peers.append(("Airflow 3 dag.test (durable)", r["workload"], r["per_step_ms"], "sqlite"))
for r in load("prefect.jsonl"):
    peers.append(("Prefect 3 (task state not durable)", r["workload"], r["per_step_ms"], "memory"))
for r in load("dagster.jsonl"):
    label = "Dagster in-process" if r.get("mode") == "ephemeral" else "Dagster on SQLite (durable)"
    ms = r.get("per_step_ms") or (r["workload_s"] * 1000 / r["steps"])
    peers.append((label, r["workload"], ms, "memory" if r.get("mode") == "ephemeral" else "sqlite"))
print("per-step overhead, ms (lower is better); ratio = peer / NovaCron")
print(f"{'workload':8} {'NovaCron memory':>16} {'NovaCron SQLite':>16} {'SQLite+fsync':>13}")
for w in ["W1", "W2", "W3"]:
    print(f"{w:8} {ours.get((w,'memory'),0):16.4f} {ours.get((w,'sqlite'),0):16.4f} {ours.get((w,'sqlite-power'),0):13.4f}")
print()
print(f"{'peer':32} {'workload':8} {'peer ms/step':>12} {'vs NovaCron':>12}")
for label, w, ms, kind in peers:
    mine = ours.get((w, kind), 0)
    ratio = ms / mine if mine else float("nan")
    print(f"{label:32} {w:8} {ms:12.3f} {ratio:11.0f}x  (against NovaCron {'in memory' if kind == 'memory' else 'on SQLite'})")
print(f"\nraw results: {out}")
PY

#!/usr/bin/env bash
# API benchmark (not a test): throughput and latency of GET and POST on loopback with wrk, and
# the cost of one `novacron apply` of 1,000 resources. Uses a release build and a throwaway
# data directory; ends only the server it started.
#
#   Benchmarks/api-bench.sh [seconds-per-run] [connections]
#
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

swift build -c release --product novacron >/dev/null 2>&1 || swift build -c release --product novacron
BIN=$(swift build -c release --show-bin-path 2>/dev/null)/novacron
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" serve --data-dir "$WORK/data" --port 0 --log-level warning 2>"$WORK/server.log" &
SERVER=$!
for _ in $(seq 100); do grep -q "serving http" "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/server.log" | head -1)
KEY=$(cat "$WORK/data/admin.key")
export NOVACRON_URL=$URL NOVACRON_API_KEY=$KEY
echo "server $URL (pid $SERVER), $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s"

# Something to read.
"$BIN" apply -f examples/quickstart.yaml >/dev/null

run_wrk() { # name, extra wrk args…
    local name=$1; shift
    local out="$WORK/wrk-$RANDOM.txt"
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $KEY" "$@" >"$out"
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$out")
    p50=$(awk '$1 == "50%" {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99"
    grep "Non-2xx" "$out" || true
}

run_wrk "GET /v1/vms/web-1" "$URL/v1/vms/web-1"
run_wrk "GET /v1/vms (list)" "$URL/v1/vms"
cat >"$WORK/post.lua" <<'LUA'
-- Each request creates a new Network with a unique name.
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) thread_id = tid end
function request()
    counter = counter + 1
    local body = string.format('{"kind":"Network","metadata":{"name":"bench-%d-%d"},"spec":{"cidr":"10.%d.%d.0/24"}}',
        thread_id, counter, counter % 250, thread_id)
    return wrk.format("POST", "/v1/networks", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("NOVACRON_API_KEY")}, body)
end
LUA
run_wrk "POST /v1/networks (create)" -s "$WORK/post.lua" "$URL"

# One apply of 1,000 resources: create, then the same again (unchanged), then changed.
python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
for name, vlan in (("apply-1000.yaml", 100), ("apply-1000-changed.yaml", 200)):
    with open(f"{work}/{name}", "w") as f:
        for i in range(1000):
            f.write(f"kind: Network\nmetadata:\n  name: apply-{i}\n  labels: {{batch: bench}}\n"
                    f"spec:\n  cidr: 172.16.{i % 250}.0/24\n  vlan: {vlan}\n---\n")
PY
time_apply() { # label, file
    local start end
    start=$(date +%s.%N)
    "$BIN" apply -f "$2" --timeout 600 >"$WORK/apply.out"
    end=$(date +%s.%N)
    printf '%-34s %8.3f s   (%s)\n' "$1" "$(python3 -c "print($end - $start)")" "$(awk '{print $2}' "$WORK/apply.out" | sort | uniq -c | xargs)"
}
time_apply "apply 1000 (create)" "$WORK/apply-1000.yaml"
time_apply "apply 1000 (unchanged)" "$WORK/apply-1000.yaml"
time_apply "apply 1000 (configure)" "$WORK/apply-1000-changed.yaml"

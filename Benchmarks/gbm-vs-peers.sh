#!/usr/bin/env bash
# GBDT benchmark (not a test): NovaCron's trees beside scikit-learn, LightGBM and XGBoost on the
# infra dataset, in one run on one machine, printing ratios.
#
#   Benchmarks/gbm-vs-peers.sh [rows=100000] [threads=1] [models=gbr,hgb,lgb,xgb]
#
# Needs ../shared/ml and Python packages: python3 -m venv V && V/bin/pip install numpy pandas
# scikit-learn lightgbm xgboost threadpoolctl; set PYTHON=V/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}; THREADS=${2:-1}; MODELS=${3:-gbr,hgb,lgb,xgb}
PYTHON=${PYTHON:-python3}
SHARED=../shared/ml
[ -d "$SHARED" ] || { echo "needs $SHARED (dataset generator and peer scripts)" >&2; exit 1; }
WORK=${WORK:-$(mktemp -d)}
CSV="$WORK/infra_$ROWS.csv"
[ -f "$CSV" ] || python3 "$SHARED/make_infra_dataset.py" "$ROWS" "$CSV" >/dev/null
swift build -c release --product novacron-bench >/dev/null 2>&1 || swift build -c release --product novacron-bench
BIN=$(swift build -c release --show-bin-path 2>/dev/null)/novacron-bench
# The peers first, with OpenBLAS overrides unset for that command only, as shared/ml/README says.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$SHARED/bench_gbm.py" "$CSV" "$WORK/peers.json" \
    --models "$MODELS" --threads "$THREADS" --reps 1 --gbr-reps 1 >/dev/null
"$BIN" ml --csv "$CSV" --threads "$THREADS" --peers "$WORK/peers.json"

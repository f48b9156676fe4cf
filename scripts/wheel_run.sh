#!/usr/bin/env bash
# The default run from the built wheel, outside any checkout, must give the same
# records as the checkout's own run:
#   scripts/wheel_run.sh [SCRATCH_DIR]
# Builds the wheel, installs it (with its dependencies) into a fresh venv under
# SCRATCH_DIR, runs `ssl-conformance run` there, then the same from this
# checkout's .venv, and compares the two results.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d)}
py=${PYTHON:-python3}

echo "== wheel: build"
"$py" -m pip wheel -q --disable-pip-version-check --no-deps -w "$scratch/dist" "$root"
echo "== wheel: install into a fresh venv"
"$py" -m venv "$scratch/wheel-venv"
"$scratch/wheel-venv/bin/python" -m pip install -q --disable-pip-version-check "$scratch"/dist/ssl_conformance-*.whl
echo "== wheel: ssl-conformance run, from $scratch"
(cd "$scratch" && env -u PYTHONPATH "$scratch/wheel-venv/bin/ssl-conformance" run --no-matrix \
    --report-dir "$scratch/wheel-reports")
echo "== checkout: ssl-conformance run"
"$root/.venv/bin/ssl-conformance" run --no-matrix --report-dir "$scratch/checkout-reports" > "$scratch/checkout.txt"
tail -1 "$scratch/checkout.txt"
"$py" - "$scratch/wheel-reports/latest/results.json" "$scratch/checkout-reports/latest/results.json" <<'PY'
import json, sys
wheel, checkout = (json.load(open(p)) for p in sys.argv[1:])
ids = [sorted((r["id"], r["impl"]) for r in d["cases"]) for d in (wheel, checkout)]
print(f"wheel: {len(ids[0])} records; checkout: {len(ids[1])} records")
if ids[0] != ids[1]:
    print("the wheel's run has other records:", sorted(set(ids[0]) ^ set(ids[1]))[:10], file=sys.stderr)
    sys.exit(1)
PY

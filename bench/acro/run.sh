#!/usr/bin/env bash
# cellguard vs ACRO side by side: installs ACRO 1.0.2 from PyPI into bench/.venv, builds cellguard (release),
# generates 1M seeded person-year rows and runs compare.py. Prints per-rule agreement and time ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows="${ROWS:-1000000}"
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install -q "acro==1.0.2"
cargo build --release -q -p cellguard-cli
data="${TMPDIR:-/tmp}/cellguard-acro-$rows.csv"
[ -f "$data" ] || python3 bench/gen_microdata.py --rows "$rows" --seed 2024 -o "$data"
bench/.venv/bin/python bench/acro/compare.py --data "$data" --cellguard "${CARGO_TARGET_DIR:-target}/release/cellguard" 2>&1 \
  | grep -v -E '^(INFO|WARNING):'

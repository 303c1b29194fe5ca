#!/usr/bin/env bash
# Builds the CLI and runs the checker on the bundled demo microdata: tabulate a mean-wage table with margins,
# then check it under the ESSnet rule of thumb and under the ACRO defaults. Findings are expected (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p cellguard-cli
bin="${CARGO_TARGET_DIR:-target}/release/cellguard"
out="${TMPDIR:-/tmp}/cellguard-demo"
mkdir -p "$out"
set -x
"$bin" tabulate demo/microdata.csv --rows region,origin --cols sex --value wage --agg mean --unit person_id --margins -o "$out/mean_wage.csv"
"$bin" check "$out/mean_wage.csv" --policy essnet || true
"$bin" check "$out/mean_wage.csv" --policy acro --format json -o "$out/report.json" || true
set +x
echo "table: $out/mean_wage.csv   JSON report: $out/report.json"

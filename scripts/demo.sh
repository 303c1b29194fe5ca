#!/usr/bin/env bash
# Sets up, checks the bundled demo microdata with the CLI (tabulate a mean-wage table with margins, check it under
# the ESSnet rule of thumb), then builds the browser page and serves it on 127.0.0.1 with the demo tables ready
# to load ("Load the demo tables"). Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
target="${CARGO_TARGET_DIR:-target}"
bash scripts/build-web.sh "$target/page"
bin="$target/release/cellguard"
out="${TMPDIR:-/tmp}/cellguard-demo"
mkdir -p "$out"
set -x
"$bin" tabulate demo/microdata.csv --rows region,origin --cols sex --value wage --agg mean --unit person_id --margins -o "$out/mean_wage.csv"
"$bin" check "$out/mean_wage.csv" --policy essnet || true
set +x
echo "the same tables are in the page: open the URL below and press \"Load the demo tables\""
exec "$bin" serve "$target/page" --port "${PORT:-8080}"

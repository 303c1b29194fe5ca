#!/usr/bin/env bash
# Builds the browser page into a static folder (default: dist/): the app and its Web Worker as WebAssembly with
# their wasm-bindgen glue, index.html, the style sheet and loaders, the protect module (secondary suppression) and
# the export module (XLSX workbooks), each its own WebAssembly started when first used, the sign-off page
# (signoff.html, its own WebAssembly), and demo tables. No CDN, no network at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
target="${CARGO_TARGET_DIR:-target}"
cargo build -q --profile web --target wasm32-unknown-unknown -p cellguard-web --bins
cargo build -q --release -p cellguard-cli
rm -rf "$out"
mkdir -p "$out/demo"
for bin in cellguard-app cellguard-worker cellguard-signoff cellguard-protect cellguard-export; do
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$out" "$target/wasm32-unknown-unknown/web/$bin.wasm"
done
cp index.html "$out/"
cp web/static/* "$out/"
# Demo tables: tabulated from the bundled demo microdata, plus the microdata itself (tabulate it in the page).
cli="$target/release/cellguard"
"$cli" tabulate demo/microdata.csv --rows region,origin --cols sex --value wage --agg mean --unit person_id --margins -o "$out/demo/mean_wage.csv"
"$cli" tabulate demo/microdata.csv --rows region,age_class --cols sex --agg count --unit person_id --margins -o "$out/demo/count_age.csv"
cp demo/microdata.csv "$out/demo/microdata.csv"
printf '%s\n' mean_wage.csv count_age.csv microdata.csv > "$out/demo/manifest.txt"
echo "page built in $out ($(du -sh "$out" | cut -f1))"

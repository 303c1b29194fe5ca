#!/usr/bin/env bash
# The page's benchmarks in headless Chromium: the engine's throughput in WebAssembly (wasm-bindgen-test bench,
# release build), then a 1M-cell table file loaded into the built page (parse + rules + first render) and the
# bundle size. Prints each number beside its target.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh --browser
target="${CARGO_TARGET_DIR:-target}"
echo "== engine throughput in WebAssembly (headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --release -p cellguard-web --target wasm32-unknown-unknown \
  --test wasm_bench -- --include-ignored --nocapture 2>&1 | grep -E "cells/s|stages|run:|test result"
echo "== the page"
bash scripts/build-web.sh "$target/page-bench"
node tests/e2e/bench.mjs "$target/page-bench" "$target/release/cellguard" "$target/bench-work" "${SIDE:-100}"

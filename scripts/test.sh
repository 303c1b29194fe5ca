#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints (native and wasm32), the workspace's tests, the benches' build,
# the page's Rust in headless Chromium (wasm-bindgen-test), then the built page end to end in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0
target="${CARGO_TARGET_DIR:-target}"
cargo fmt --all --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo clippy -p cellguard-web --target wasm32-unknown-unknown --all-targets -q -- -D warnings
cargo build -q -p cellguard-engine -p cellguard-io -p cellguard-signoff --target wasm32-unknown-unknown
# Benches are compiled here and run with `cargo bench`.
cargo build -q --workspace --benches
cargo test --workspace
CHROMEDRIVER=/usr/bin/chromedriver cargo test -p cellguard-web --target wasm32-unknown-unknown
dist="$target/page-test"
artifacts="${CELLGUARD_ARTIFACTS:-$target/e2e-artifacts}"
bash scripts/build-web.sh "$dist"
node tests/e2e/e2e.mjs "$dist" "$target/release/cellguard" "$artifacts"

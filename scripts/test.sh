#!/usr/bin/env bash
# Sets up and runs every test: formatting, lints, the whole workspace's tests, and the wasm32 build of the
# engine and io crates.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0
cargo fmt --all --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo build -q -p cellguard-engine -p cellguard-io --target wasm32-unknown-unknown
# Benches are compiled here and run with `cargo bench`; tests run last so their summary closes the output.
cargo build -q --workspace --benches
cargo test --workspace

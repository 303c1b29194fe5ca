#!/usr/bin/env bash
# Installs what the build and the tests need beyond the Rust toolchain: the wasm32 target, and clang (the Arrow
# IPC compression codecs compile C for wasm32). Safe to run again; skips what is already there.
set -euo pipefail
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if ! command -v clang >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq clang >/dev/null
fi

#!/usr/bin/env bash
# Installs what the build and the tests need beyond the Rust toolchain; skips what is already there.
#   setup.sh            the wasm32 target, clang (the Arrow IPC codecs compile C for wasm32), wasm-bindgen-cli
#                       at the version Cargo.lock pins
#   setup.sh --browser  also Debian's Chromium and ChromeDriver, Node.js when missing, and playwright-core for the
#                       end-to-end tests
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq; apt_updated=1; }
  $SUDO apt-get install -y -qq "$@" >/dev/null
}
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
command -v clang >/dev/null 2>&1 || apt_install clang
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  echo "installing wasm-bindgen-cli $wb_version (about 2 minutes)"
  cargo install -q wasm-bindgen-cli --version "$wb_version"
fi
if [ "${1:-}" = "--browser" ]; then
  { command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || apt_install chromium chromium-driver
  { command -v node && command -v npm; } >/dev/null 2>&1 || apt_install nodejs npm
  (cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi

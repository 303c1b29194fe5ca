#!/usr/bin/env bash
# cellguard vs the τ-ARGUS engine side by side: installs pytauargus (the τ-ARGUS engine with HiGHS, no Java),
# numpy and highspy (HiGHS for the independent audit) from PyPI into bench/.venv-tauargus, builds cellguard
# (release) and runs compare.py, which prints per table, rule and method the pattern's size, time and the
# primaries each audit finds under-protected. Arguments go to compare.py: `--tables flat,hier25k,hier100k`
# (the default: all), `--rules NK(2,85) P(10)`, `--hier-optimal`, `--time-limit S`.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x bench/.venv-tauargus/bin/python ] || python3 -m venv bench/.venv-tauargus
bench/.venv-tauargus/bin/pip install -q "pytauargus==0.6.0" "numpy" "highspy"
cargo build --release -q -p cellguard-cli
bench/.venv-tauargus/bin/python bench/tauargus/compare.py --cellguard "${CARGO_TARGET_DIR:-target}/release/cellguard" "$@"

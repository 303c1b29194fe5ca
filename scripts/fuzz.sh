#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/, libFuzzer through cargo-fuzz, on a nightly toolchain) for a while each and prints
# the executions per target. Not part of the test command: scripts/test.sh replays the corpus through the same
# target bodies on the stable toolchain.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   SECONDS per target (default 60); every target when none is named
# Each target's corpus starts from the project's files of its kind (tests/corpus, tests/golden) and grows under
# $CARGO_TARGET_DIR/fuzz/corpus; a crash, leak, timeout or out-of-memory input is saved under
# $CARGO_TARGET_DIR/fuzz/artifacts/TARGET and the script exits 1: fix it, and add the input to the bad-input
# corpus (tests/corpus/bad/fuzz_*, with its line in EXPECTED.tsv). A panic inside arrow2, parquet2, calamine or a
# codec is caught by the io crate (an error naming the file): the run goes on and the log lists its place.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install -q cargo-fuzz --locked
work="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
# Built with the sanitizer's flags: a target folder of its own.
export CARGO_TARGET_DIR="$work/target"
mkdir -p "$work"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
cargo +nightly fuzz build -O --fuzz-dir fuzz
# Which project files seed which target.
seeds() {
  case "$1" in
    csv|csv_paths|codelist) find tests/corpus -name '*.csv' ;;
    csv_in_two) find tests/corpus -name '*.csv' | while read -r f; do printf '\x07\x00\xff\xff' | cat - "$f" > "$2/$(basename "$f").in_two"; done ;;
    xlsx) find tests/corpus -name '*.xlsx' ;;
    arrow_file) find tests/corpus -name '*.arrow' ;;
    arrow_stream) find tests/corpus -name '*.arrows' ;;
    parquet) find tests/corpus -name '*.parquet' ;;
    report) find tests/golden -name '*.json' ! -name '*.protection.json' ;;
    policy) find tests/corpus/policy -name '*.toml' ;;
    package) find tests/corpus/signoff -name 'package.zip' ;;
    bundle) find tests/corpus/signoff -name 'bundle.zip' ;;
  esac
  true
}
# A reader may ask for a huge buffer with `try_reserve` and take the refusal as an error: the sanitizer returns
# null rather than calling that a crash. Memory actually used is held to 4 GB (-rss_limit_mb); one allocation may
# ask for more (-malloc_limit_mb) and be refused.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1}"
status=0
printf '%-14s %14s %10s %8s  %s\n' target executions per_s corpus result
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"; artifacts="$work/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seeds "$t" "$corpus" | while read -r f; do [ -n "$f" ] && cp "$f" "$corpus/"; done
  log="$work/$t.log"
  result=ok
  cargo +nightly fuzz run -O --fuzz-dir fuzz "$t" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=1048576 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || { result="FAILED (see $log)"; status=1; }
  execs="$(awk '/stat::number_of_executed_units/ {print $NF}' "$log" | tail -1)"
  printf '%-14s %14s %10s %8s  %s\n' "$t" "${execs:-?}" "$(( ${execs:-0} / seconds ))" "$(ls "$corpus" | wc -l)" "$result"
done
exit "$status"

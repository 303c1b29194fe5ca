#!/usr/bin/env bash
# Times the synthetic-extract generator: phase 1 (the stratified sample) at full scale, and phase 2 (the whole
# population) at SCALE (default 0.05), extrapolated linearly to full scale. Prints wall time and peak memory
# beside the targets (phase 1 ≤ 10 s; phase 2 ≤ 5 min and ≤ 4 GB at full scale).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
cargo build -q --release -p cellguard-cli
bin="$target/release/cellguard"
work="${TMPDIR:-/tmp}/cellguard-extract-bench"
rm -rf "$work"; mkdir -p "$work"
scale="${SCALE:-0.05}"
measure() { # label, args...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" "$@" > "$work/out" 2>/dev/null
  read -r secs kb < "$work/time"
  echo "$label: $(head -1 "$work/out")"
  echo "$label: ${secs} s wall, $((kb / 1024)) MB peak"
  echo "$secs $kb"
}
echo "== phase 1, full scale"
p1=$(measure phase1 generate --phase 1 --seed 1 --key-file "$work/key" --out "$work/p1" | tee /dev/stderr | tail -1)
echo "== phase 2, scale $scale"
p2=$(measure phase2 generate --phase 2 --seed 1 --key-file "$work/key" --out "$work/p2" --scale "$scale" | tee /dev/stderr | tail -1)
read -r s1 _ <<< "$p1"
read -r s2 kb2 <<< "$p2"
awk -v s1="$s1" -v s2="$s2" -v sc="$scale" -v kb="$kb2" 'BEGIN {
  full = s2 / sc;
  printf "phase 1: %.1f s, target 10 s: %.2fx %s\n", s1, 10 / s1, (s1 <= 10 ? "met" : "NOT met");
  printf "phase 2: %.1f s at scale %s -> about %.0f s at full scale, target 300 s: %.2fx %s\n", s2, sc, full, 300 / full, (full <= 300 ? "met" : "NOT met");
  printf "phase 2 peak memory at scale %s: %.0f MB (bounded by the chunk size, not the scale)\n", sc, kb / 1024;
}'

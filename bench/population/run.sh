#!/usr/bin/env bash
# Tabulates the phase-2 extract (the whole population, Parquet partitioned by year) as a KSZ reviewer would:
# year × region × origin × age class × sex with every margin, persons counted once per cell (--unit id). For each
# scale in SCALES (default "0.1 1.0"; 1.0 needs about 12 GB of free disk: the extract and the rows kept between
# the passes) it generates the extract once (kept under $WORK for the next run), then prints wall time and peak
# memory beside the targets: scale 0.1 in ≤ 15 s; the full population in ≤ 120 s and ≤ 4 GB.
# At the first scale it also tabulates in one bucket (the rows unsplit) and compares: the table split into buckets
# and merged must be the same bytes (the extract's amounts are whole), and the split's cost is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
cargo build -q --release -p cellguard-cli
bin="$target/release/cellguard"
work="${WORK:-${TMPDIR:-/tmp}/cellguard-population-bench}"
mkdir -p "$work"
scales="${SCALES:-0.1 1.0}"
first=1
measure() { # label, output, args...
  local label="$1" out="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" tabulate "$@" -o "$out" 2>"$work/err" \
    || { cat "$work/err"; exit 1; }
  read -r secs kb < "$work/time"
  echo "$label: $secs s wall, $((kb / 1024)) MB peak" >&2
  echo "$secs $kb"
}
for scale in $scales; do
  data="$work/scale-$scale"
  if [ ! -f "$data/manifest.json" ]; then
    need_gb=$(awk -v s="$scale" 'BEGIN { printf "%d", 12 * s + 1 }')
    free_gb=$(df -Pk "$work" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')
    if [ "$free_gb" -lt "$need_gb" ]; then
      echo "== scale $scale: skipped, $free_gb GB free of the $need_gb GB it needs"
      continue
    fi
    echo "== scale $scale: generating the phase-2 extract"
    rm -rf "$data"
    "$bin" generate --phase 2 --seed 1 --scale "$scale" --key-file "$work/key" --out "$data" | tail -1
  fi
  files=("$data"/parquet/year=*/part-0.parquet)
  args=("${files[@]}" --rows year,region,origin --cols age_class,sex --margins --unit id --temp-dir "$work")
  echo "== scale $scale: ${#files[@]} yearly files, $(du -sh "$data/parquet" | cut -f1)"
  read -r secs kb <<< "$(measure "tabulate" "$work/table-$scale.csv" "${args[@]}")"
  echo "table: $(($(wc -l < "$work/table-$scale.csv") - 1)) cells"
  if [ "$first" = 1 ]; then
    first=0
    read -r one_secs one_kb <<< "$(measure "one bucket" "$work/table-$scale-one.csv" "${args[@]}" --buckets 1)"
    if cmp -s "$work/table-$scale.csv" "$work/table-$scale-one.csv"; then
      echo "buckets merged = one bucket: the same bytes"
    else
      echo "buckets merged differ from one bucket"; exit 1
    fi
    awk -v s="$secs" -v o="$one_secs" -v k="$kb" -v ok="$one_kb" 'BEGIN {
      printf "split into buckets / one bucket: time %.2fx, peak memory %.2fx\n", s / o, k / ok }'
  fi
  awk -v s="$secs" -v kb="$kb" -v sc="$scale" 'BEGIN {
    mb = kb / 1024;
    if (sc + 0 >= 1) {
      printf "full population: %.1f s, target 120 s: %s; %.0f MB, target 4096 MB: %s\n", s,
        (s <= 120 ? "met" : "NOT met"), mb, (mb <= 4096 ? "met" : "NOT met");
    } else {
      printf "scale %s: %.1f s, target 15 s at 0.1: %s; %.0f MB\n", sc, s, (s <= 15 ? "met" : "NOT met"), mb;
    }
  }'
done

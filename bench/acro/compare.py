#!/usr/bin/env python3
"""cellguard vs ACRO 1.0 on the same seeded microdata: per-rule agreement and time ratio.

For each table, ACRO's `crosstab` (timed on the DataFrame already in memory) and `cellguard tabulate` +
`cellguard check --policy acro` (timed as whole processes, CSV parsing included; the median of three runs) judge
the same cells. Rows are units on both sides (no --unit), so the counting is the same. Agreement is computed over
every cell ACRO shows. Two time ratios are printed: ACRO's crosstab alone against cellguard from the file (ACRO
spared its reading), and end to end, both from the CSV file (pandas' read_csv + crosstab against cellguard).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pandas as pd
from acro import ACRO

RULES = {"MinimumThresholdCheck": "threshold", "NKCheck": "dominance", "PPercentCheck": "p-percent"}


def acro_cells(acro, index, columns, values, aggfunc, margins, df):
    t0 = time.perf_counter()
    table = acro.crosstab(
        [df[c] for c in index], [df[c] for c in columns],
        values=None if values is None else df[values], aggfunc=aggfunc, margins=margins,
    )
    elapsed = time.perf_counter() - t0
    rec = acro.results.get_index(-1)
    def key(label, names):
        label = label if isinstance(label, tuple) else (label,)
        if str(label[0]) == "All":
            return tuple("Total" for _ in names)
        return tuple(str(x) for x in label)
    cells = {}
    for i, r in enumerate(table.index):
        for j, c in enumerate(table.columns):
            cells[(i, j)] = key(r, index) + key(c, columns)
    flagged = {rule: set() for rule in RULES.values()}
    for check, positions in rec.sdc.get("cells", {}).items():
        if check in RULES:
            flagged[RULES[check]] |= {cells[tuple(p)] for p in positions}
    return elapsed, set(cells.values()), flagged


def cellguard_cells(binary, csv_path, index, columns, values, aggfunc, margins, tmp):
    table = os.path.join(tmp, "table.csv")
    report = os.path.join(tmp, "report.json")
    tab = [binary, "tabulate", csv_path, "--rows", ",".join(index), "--cols", ",".join(columns), "--agg", aggfunc,
           "-o", table]
    if values:
        tab += ["--value", values]
    if margins:
        tab.append("--margins")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(tab, check=True)
        r = subprocess.run([binary, "check", table, "--policy", "acro", "--format", "json", "-o", report])
        runs.append(time.perf_counter() - t0)
    elapsed = sorted(runs)[1]
    if r.returncode not in (0, 1):
        sys.exit(f"cellguard check failed with exit {r.returncode}")
    with open(report) as f:
        rep = json.load(f)
    dims = index + columns
    flagged = {rule: set() for rule in RULES.values()}
    keys = set()
    for cell in rep["tables"][0]["cells"]:
        k = tuple(cell["coords"][d] for d in dims)
        keys.add(k)
        for finding in cell["findings"]:
            rule = finding["rule"]
            # ACRO's threshold check also fires on empty cells (0 < 10); cellguard reports those as `zero`.
            if rule == "zero":
                rule = "threshold"
            if rule in flagged and finding["status"] != "safe":
                flagged[rule].add(k)
    return elapsed, keys, flagged


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cellguard", required=True)
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = pd.read_csv(a.data, dtype={"year": str})
    read_time = time.perf_counter() - t0
    print(f"pandas read_csv: {read_time:.2f} s for {len(df):,} rows (counted in the end-to-end ratio only)")
    acro = ACRO(suppress=False)
    tables = [
        ("6-dim mean table with margins", ["year", "sex", "age_class"], ["origin", "region", "education"], "wage", "mean", True),
        ("6-dim mean table without margins", ["year", "sex", "age_class"], ["origin", "region", "education"], "wage", "mean", False),
        ("3-dim count table with margins", ["region", "origin"], ["sex"], None, "count", True),
    ]
    all_agree = True
    for name, index, columns, values, agg, margins in tables:
        print(f"\n== {name}")
        acro_time, acro_keys, acro_flags = acro_cells(acro, index, columns, values, "mean" if agg == "mean" else None, margins, df)
        with tempfile.TemporaryDirectory() as tmp:
            cg_time, cg_keys, cg_flags = cellguard_cells(a.cellguard, a.data, index, columns, values, agg, margins, tmp)
        common = acro_keys & cg_keys
        only_acro_cells = acro_keys - cg_keys
        empty_flagged = len(only_acro_cells & acro_flags["threshold"])
        print(f"cells compared: {len(common):,} (ACRO's table {len(acro_keys):,}, cellguard's {len(cg_keys):,}; "
              f"{len(only_acro_cells):,} cells only in ACRO's grid, {empty_flagged:,} of them flagged by its threshold; "
              f"{len(cg_keys - acro_keys):,} sub-margin cells only cellguard computes)")
        for rule in RULES.values():
            acro_set = acro_flags[rule] & common
            cg_set = cg_flags[rule] & common
            both = len(acro_set & cg_set)
            only_acro = len(acro_set - cg_set)
            only_cg = len(cg_set - acro_set)
            agree = (len(common) - only_acro - only_cg) / max(len(common), 1) * 100
            all_agree &= only_acro == 0 and only_cg == 0
            print(f"  {rule:<10} ACRO {len(acro_set):>6}  cellguard {len(cg_set):>6}  both {both:>6}  "
                  f"only ACRO {only_acro:>4}  only cellguard {only_cg:>4}  agreement {agree:6.2f} %")
        print(f"  time: ACRO crosstab {acro_time:.2f} s, cellguard tabulate+check {cg_time:.3f} s (median of 3), "
              f"ratio {acro_time / cg_time:.1f}x; end to end from the CSV file (read_csv {read_time:.2f} s + crosstab): "
              f"ratio {(read_time + acro_time) / cg_time:.1f}x")
    print("\nverdicts identical on every compared cell" if all_agree else "\nverdicts differ on some cells (see above)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""cellguard vs the τ-ARGUS engine (pytauargus) on the same seeded microdata: secondary suppression side by side.

For each table (2-D 20 × 20 and 3-D 10 × 10 × 10, every margin) and each rule (NK(2,85), P(10), FREQ(10,30)):

* cellguard: `cellguard tabulate --margins` then `cellguard protect --method fast` and `--method optimal`
  (each timed as a process; `optimal` with `--time-limit`, 60 s unless `--time-limit` says otherwise);
* τ-ARGUS: `protect(..., suppress="MOD(1)")` (HiTaS, modular) and `suppress="OPT(1)"` (optimal), timed in process;

and every pattern is audited twice, by `cellguard audit` and by an independent LP audit written here with
scipy's HiGHS: for each suppressed cell the minimum and maximum of its value over all non-negative tables with
the same published cells and the same totals. A primary is under-protected when its interval does not reach its
protection levels (cellguard's levels for the rule: the protection file of cellguard's own run), or is a point.
Printed per run: primaries, secondaries, suppressed value (% of all figures), time, and under-protected cells by
each audit.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytauargus
from scipy.optimize import linprog

# τ-ARGUS's rule and cellguard's policy for it. τ-ARGUS writes the p % rule P(p, n) with n = 1 for the
# classic rule (the runner-up estimates the largest).
RULES = {
    "NK(2,85)": ("NK(2,85)", '[[dominance]]\nn = 2\nk = 85.0\n'),
    "P(10)": ("P(10,1)", '[p_percent]\np = 10.0\n'),
    "FREQ(10,30)": ("FREQ(10,30)", '[threshold]\nmin_units = 10\n'),
}


def microdata(dims, units, seed):
    """Seeded units: a code per dimension (skewed, so some cells are small) and a long-tailed turnover."""
    rng = random.Random(seed)
    rows = []
    for i in range(units):
        row = {"id": i}
        for name, size in dims:
            # Zipf-like: low codes common, high codes rare.
            row[name] = f"{name}{min(int(rng.paretovariate(0.8)) - 1, size - 1):02d}"
        row["x"] = round(rng.lognormvariate(6, 1.6), 2)
        rows.append(row)
    return rows


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p, time.perf_counter() - t0


def read_table(path, dim_names):
    """cellguard's tabulated table: coordinates -> value, and coordinates -> units, in file order."""
    cells, units = {}, {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = tuple(r[d] for d in dim_names)
            cells[key] = float(r["value"])
            units[key] = int(r["n"])
    return cells, units


def lp_audit(cells, units, dim_names, pattern, levels):
    """The independent audit: exact min and max of every suppressed cell by LP (HiGHS), relations from the codes
    (`Total` is the sum of the other codes of its dimension, the other coordinates equal). An attacker knows every
    published cell; the contributor of a suppressed one-unit primary also knows that cell, and attacks each other
    primary in a relation with it that does not contain it (a total over the singleton's unit is left to its own
    levels, which allow for an insider). Returns the number of primaries whose interval falls short of their
    levels, or is a point, for some attacker."""
    keys = list(cells)
    idx = {k: i for i, k in enumerate(keys)}
    supp = [k for k in keys if pattern.get(k)]
    var = {k: j for j, k in enumerate(supp)}
    rows, rhs = [], []
    for d in range(len(dim_names)):
        groups = {}
        for k in keys:
            if k[d] == "Total":
                continue
            head = k[:d] + ("Total",) + k[d + 1:]
            groups.setdefault(head, []).append(k)
        for head, parts in groups.items():
            if head not in idx:
                continue
            coef = np.zeros(len(supp))
            b = 0.0
            for k, c in [(head, -1.0)] + [(p, 1.0) for p in parts]:
                if k in var:
                    coef[var[k]] += c
                else:
                    b -= c * cells[k]
            if np.any(coef):
                rows.append(coef)
                rhs.append(b)
    if not supp:
        return 0
    A = np.array(rows) if rows else np.zeros((0, len(supp)))
    b = np.array(rhs)
    def interval(k, known=None):
        c = np.zeros(len(supp))
        c[var[k]] = 1.0
        bounds = [(0, None)] * len(supp)
        if known is not None:
            bounds[var[known]] = (cells[known], cells[known])
        lo = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        low = lo.fun if lo.status == 0 else -np.inf
        high = -hi.fun if hi.status == 0 else (np.inf if hi.status == 3 else cells[k])
        return low, high

    def short_of(k, low, high):
        v, lv = cells[k], levels[k]
        tol = 1e-6 * max(1.0, abs(v))
        return high - low <= tol or high - v < lv["upper"] - tol or v - low < lv["lower"] - tol

    def related(a, b):
        return sum(x != y for x, y in zip(a, b)) == 1

    def within(a, b):
        return all(x == y or y == "Total" for x, y in zip(a, b))

    singles = [k for k in supp if k in levels and units[k] == 1]
    short = 0
    for k in supp:
        if k not in levels:
            continue
        if short_of(k, *interval(k)):
            short += 1
            continue
        for s in singles:
            if s != k and related(s, k) and not (within(s, k) or within(k, s)):
                if short_of(k, *interval(k, known=s)):
                    short += 1
                    break
    return short


def cellguard_audit(bin_, table_csv, dim_names, pattern, policy, work):
    """`cellguard audit` on the table with the pattern as a column: primaries short (from its protection file)."""
    path = os.path.join(work, "patterned.csv")
    with open(table_csv, newline="") as f, open(path, "w", newline="") as g:
        r = csv.DictReader(f)
        w = csv.DictWriter(g, fieldnames=r.fieldnames + ["pattern"])
        w.writeheader()
        for row in r:
            row["pattern"] = "x" if pattern.get(tuple(row[d] for d in dim_names)) else "safe"
            w.writerow(row)
    out = os.path.join(work, "audit.json")
    p, _ = run([bin_, "audit", path, "--status", "pattern", "--policy", policy, "-o", out])
    if p.returncode not in (0, 1):
        sys.exit(f"cellguard audit failed: {p.stderr}")
    return json.load(open(out))["tables"][0]["summary"]["short"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cellguard", required=True)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds cellguard's optimal method may spend per table")
    args = ap.parse_args()
    args.cellguard = os.path.abspath(args.cellguard)
    tables = [
        ("2-D 20x20", [("A", 20), ("B", 20)], 6000),
        ("3-D 10x10x10", [("A", 10), ("B", 10), ("C", 10)], 12000),
    ]
    print(f"{'table':14} {'rule':12} {'method':10} {'prim':>5} {'sec':>5} {'supp %':>7} {'time s':>8} "
          f"{'short (cellguard audit)':>24} {'short (HiGHS audit)':>20}")
    for name, dims, units in tables:
        rows = microdata(dims, units, args.seed)
        dim_names = [d for d, _ in dims]
        with tempfile.TemporaryDirectory() as work:
            micro = os.path.join(work, "micro.csv")
            with open(micro, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=["id"] + dim_names + ["x"])
                w.writeheader()
                w.writerows(rows)
            table_csv = os.path.join(work, "table.csv")
            p, _ = run([args.cellguard, "tabulate", micro, "--rows", dim_names[0], "--cols", ",".join(dim_names[1:]),
                        "--value", "x", "--agg", "sum", "--unit", "id", "--margins", "-o", table_csv])
            if p.returncode != 0:
                sys.exit(f"cellguard tabulate failed: {p.stderr}")
            cells, units = read_table(table_csv, dim_names)
            total = sum(abs(v) for v in cells.values())
            for rule, (tau_rule, toml) in RULES.items():
                policy = os.path.join(work, "policy.toml")
                with open(policy, "w") as f:
                    f.write(f'name = "{rule}"\n{toml}\n[zero]\nsampling = "safe"\n\n[suppression]\nsafety_range = 30.0\n')
                runs, levels, notes = [], None, []
                for cg_method in ["fast", "optimal"]:
                    out = os.path.join(work, "out-" + cg_method)
                    p, t_cg = run([args.cellguard, "protect", table_csv, "--policy", policy, "--method", cg_method,
                                   "--time-limit", str(args.time_limit), "-o", out])
                    if p.returncode not in (0, 1):
                        sys.exit(f"cellguard protect failed: {p.stderr}")
                    prot = json.load(open(os.path.join(out, "protection.json")))["tables"][0]
                    if levels is None:
                        levels = {tuple(c["coords"][d] for d in dim_names): c["levels"]
                                  for c in prot["cells"] if c["levels"]}
                    pattern = {tuple(c["coords"][d] for d in dim_names): True for c in prot["cells"]}
                    runs.append((f"cg {cg_method}", prot["summary"]["primaries"], prot["summary"]["secondaries"],
                                 pattern, t_cg))
                    o = prot["summary"].get("optimality")
                    if o and o["lower_bound"] is not None:
                        cost = prot["summary"]["cost_total"]
                        gap = 100 * (cost - o["lower_bound"]) / cost if cost else 0.0
                        notes.append(f"    cg optimal: cost {cost:.2f}, lower bound {o['lower_bound']:.2f} "
                                     f"({100 * o['lower_bound'] / total:.2f} % of the figures; gap {gap:.1f} %), "
                                     f"stop: {o['stop']}")
                for method in ["MOD(1)", "OPT(1)"]:
                    # The engine writes its logs into the working directory: the temporary one, not the checkout.
                    here = os.getcwd()
                    os.chdir(work)
                    try:
                        t0 = time.perf_counter()
                        res = pytauargus.protect(rows, tables=[dim_names], response="x", safety_rules=tau_rule,
                                                 suppress=method, totcode="Total", workdir=work)
                        t_ta = time.perf_counter() - t0
                    finally:
                        os.chdir(here)
                    tr = res.tables[0]
                    pat, prim, sec = {}, 0, 0
                    for r in tr.rows:
                        key = tuple(str(r[d]) for d in dim_names)
                        st = str(r["status"]).upper()
                        if st in ("U", "M", "D"):
                            pat[key] = True
                            prim += st == "U"
                            sec += st in ("M", "D")
                    runs.append((f"tau {method[:3]}", prim, sec, pat, t_ta))
                for label, prim, sec, pat, t in runs:
                    supp = sum(abs(cells[k]) for k in pat if k in cells)
                    short_cg = cellguard_audit(args.cellguard, table_csv, dim_names, pat, policy, work)
                    short_lp = lp_audit(cells, units, dim_names, pat, levels)
                    print(f"{name:14} {rule:12} {label:10} {prim:5d} {sec:5d} {100 * supp / total:7.2f} {t:8.3f} "
                          f"{short_cg:24d} {short_lp:20d}", flush=True)
                for n in notes:
                    print(n, flush=True)


if __name__ == "__main__":
    main()

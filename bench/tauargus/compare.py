#!/usr/bin/env python3
"""cellguard vs the τ-ARGUS engine (pytauargus) on the same seeded microdata: secondary suppression side by side.

For each table (2-D 20 × 20 and 3-D 10 × 10 × 10, every margin; 3-D hierarchical of about 25,000 and 100,000
cells, every total and sub-total) and each rule (NK(2,85), P(10), FREQ(10,30)):

* cellguard: `cellguard tabulate --margins` then `cellguard protect --method fast` and `--method optimal`
  (each timed as a process; `optimal` with `--time-limit`, 60 s unless `--time-limit` says otherwise);
* τ-ARGUS: `protect(..., suppress="MOD(1)")` (HiTaS, modular) and `suppress="OPT(1)"` (optimal), timed in process;

(on the hierarchical tables `fast` and MOD only, unless `--hier-optimal`: τ-ARGUS OPT takes many minutes there)
and every pattern is audited twice, by `cellguard audit` and by an independent LP audit written here with HiGHS
(scipy's `linprog` on the small tables; on the hierarchical ones `highspy`, one model per independent part of
the pattern, re-solved from its last basis for each objective): for each suppressed primary the minimum and
maximum of its value over all non-negative tables with the same published cells and the same totals. A primary is under-protected when its interval does not reach its
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

import highspy
import numpy as np
import pytauargus

# τ-ARGUS's rule and cellguard's policy for it. τ-ARGUS writes the p % rule P(p, n) with n = 1 for the
# classic rule (the runner-up estimates the largest).
RULES = {
    "NK(2,85)": ("NK(2,85)", '[[dominance]]\nn = 2\nk = 85.0\n'),
    "P(10)": ("P(10,1)", '[p_percent]\np = 10.0\n'),
    "FREQ(10,30)": ("FREQ(10,30)", '[threshold]\nmin_units = 10\n'),
}


class Dim:
    """A dimension: its name and each code's parent (`Total` heads the codes without another parent); the codes
    units carry (the leaves) in order."""

    def __init__(self, name, parent):
        self.name, self.parent = name, parent
        heads = set(parent.values())
        self.leaves = [c for c in parent if c not in heads]

    @staticmethod
    def flat(name, size):
        return Dim(name, {f"{name}{i:02d}": "Total" for i in range(size)})

    @staticmethod
    def hierarchical(name, groups, leaves):
        """`Total`, `groups` groups under it (A0, A1, …), `leaves` codes under each (A00, A01, …)."""
        parent = {}
        for g in range(groups):
            parent[f"{name}{g}"] = "Total"
            for i in range(leaves):
                parent[f"{name}{g}{i}"] = f"{name}{g}"
        return Dim(name, parent)

    def ancestors(self, code):
        while code in self.parent:
            code = self.parent[code]
            yield code


def microdata(dims, units, seed, hierarchical=False):
    """Seeded units: a code per dimension (skewed, so some cells are small) and a long-tailed turnover."""
    rng = random.Random(seed)
    rows = []
    for i in range(units):
        row = {"id": i}
        for dim in dims:
            size = len(dim.leaves)
            if hierarchical:
                # Denser at low codes, every leaf cell likely to occur: small cells where the rare codes meet.
                k = int(size * rng.random() ** 1.6)
            else:
                # Zipf-like: low codes common, high codes rare.
                k = min(int(rng.paretovariate(0.8)) - 1, size - 1)
            row[dim.name] = dim.leaves[k]
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


def lp_audit(cells, units, dims, pattern, levels):
    """The independent audit: exact min and max of every suppressed primary by LP (HiGHS), relations from the
    codes (a code's parent is the sum of its children along its dimension, the other coordinates equal). An
    attacker knows every published cell; the contributor of a suppressed one-unit primary also knows that cell,
    and attacks each other primary in a relation with it that does not contain it (a total over the singleton's
    unit is left to its own levels, which allow for an insider). Returns the number of primaries whose interval
    falls short of their levels, or is a point, for some attacker."""
    supp = [k for k in cells if pattern.get(k)]
    var = {k: j for j, k in enumerate(supp)}
    # The relations with a suppressed cell, the published cells' sum on the right-hand side.
    rels = []
    for d, dim in enumerate(dims):
        groups = {}
        for k in cells:
            up = dim.parent.get(k[d])
            if up is not None:
                groups.setdefault(k[:d] + (up,) + k[d + 1:], []).append(k)
        for head, parts in groups.items():
            if head not in cells:
                continue
            terms, b, scale = {}, 0.0, 0.0
            for k, c in [(head, -1.0)] + [(q, 1.0) for q in parts]:
                scale += abs(cells[k])
                if k in var:
                    terms[var[k]] = terms.get(var[k], 0.0) + c
                else:
                    b -= c * cells[k]
            terms = {j: c for j, c in terms.items() if c}
            if terms:
                # The published figures are decimals: a relation holds within their rounding.
                rels.append((terms, b, 1e-9 * scale))
    # Independent parts of the pattern: suppressed cells joined by a relation.
    root = list(range(len(supp)))

    def find(x):
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for terms, _, _ in rels:
        first = find(next(iter(terms)))
        for j in terms:
            root[find(j)] = first
    members, rows_of = {}, {}
    for j in range(len(supp)):
        members.setdefault(find(j), []).append(j)
    for terms, b, slack in rels:
        rows_of.setdefault(find(next(iter(terms))), []).append((terms, b, slack))

    def related(a, b):
        diff = [d for d in range(len(dims)) if a[d] != b[d]]
        if len(diff) != 1:
            return False
        d = diff[0]
        pa, pb = dims[d].parent.get(a[d]), dims[d].parent.get(b[d])
        return pa == b[d] or pb == a[d] or (pa is not None and pa == pb)

    def within(a, b):
        return all(x == y or y in dims[d].ancestors(x) for d, (x, y) in enumerate(zip(a, b)))

    def short_of(k, low, high):
        v, lv = cells[k], levels[k]
        tol = 1e-6 * max(1.0, abs(v))
        return high - low <= tol or high - v < lv["upper"] - tol or v - low < lv["lower"] - tol

    singles = [k for k in supp if k in levels and units[k] == 1]
    short = 0
    for r, part in members.items():
        if not any(supp[j] in levels for j in part):
            continue
        col = {j: i for i, j in enumerate(part)}
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = len(part)
        h.addVars(n, np.zeros(n), np.full(n, highspy.kHighsInf))
        rows = rows_of.get(r, [])
        if rows:
            starts, index, value, low, high = [], [], [], [], []
            for terms, b, slack in rows:
                starts.append(len(index))
                index.extend(col[j] for j in terms)
                value.extend(terms.values())
                low.append(b - slack)
                high.append(b + slack)
            h.addRows(len(rows), np.array(low), np.array(high), len(index), np.array(starts, dtype=np.int32),
                      np.array(index, dtype=np.int32), np.array(value))

        def extreme(c, sense):
            # Re-solved from the last basis: the model stays, only the objective changes.
            h.changeColCost(c, 1.0)
            h.changeObjectiveSense(sense)
            h.run()
            status, value = h.getModelStatus(), h.getInfo().objective_function_value
            h.changeColCost(c, 0.0)
            if status == highspy.HighsModelStatus.kOptimal:
                return value
            if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                # The true table is feasible, so the objective is unbounded.
                return np.inf if sense == highspy.ObjSense.kMaximize else -np.inf
            sys.exit(f"HiGHS audit: {h.modelStatusToString(status)}")

        def interval(k, known=None):
            if known is not None:
                h.changeColBounds(col[var[known]], cells[known], cells[known])
            low = extreme(col[var[k]], highspy.ObjSense.kMinimize)
            high = extreme(col[var[k]], highspy.ObjSense.kMaximize)
            if known is not None:
                h.changeColBounds(col[var[known]], 0.0, highspy.kHighsInf)
            return low, high

        near = [s for s in singles if find(var[s]) == r]
        for j in part:
            k = supp[j]
            if k not in levels:
                continue
            if short_of(k, *interval(k)):
                short += 1
                continue
            for s in near:
                if s != k and related(s, k) and not (within(s, k) or within(k, s)):
                    if short_of(k, *interval(k, known=s)):
                        short += 1
                        break
    return short


def cellguard_audit(bin_, table_csv, dim_names, pattern, policy, work, codelists):
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
    p, _ = run([bin_, "audit", path, "--status", "pattern", "--policy", policy, "-o", out] + codelists)
    if p.returncode not in (0, 1):
        sys.exit(f"cellguard audit failed: {p.stderr}")
    return json.load(open(out))["tables"][0]["summary"]["short"]


def write_hierarchy(dim, work):
    """The dimension's codes for both tools: a codelist (code,parent) for cellguard, an `.hrc` for τ-ARGUS."""
    codelist = os.path.join(work, f"{dim.name}.csv")
    with open(codelist, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "parent"])
        w.writerow(["Total", ""])
        w.writerows(dim.parent.items())
    hrc = os.path.join(work, f"{dim.name}.hrc")
    with open(hrc, "w") as f:
        for code in dim.parent:
            f.write("@" * (sum(1 for _ in dim.ancestors(code)) - 1) + code + "\n")
    return codelist, hrc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cellguard", required=True)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds cellguard's optimal method may spend per table")
    ap.add_argument("--tables", default="flat,hier25k,hier100k",
                    help="which tables, comma-separated: flat (2-D, 3-D), hier25k, hier100k (3-D hierarchical)")
    ap.add_argument("--rules", nargs="+", default=list(RULES), choices=list(RULES), help="which rules")
    ap.add_argument("--hier-optimal", action="store_true",
                    help="also cellguard optimal and τ-ARGUS OPT on the hierarchical tables (many minutes each)")
    args = ap.parse_args()
    args.cellguard = os.path.abspath(args.cellguard)
    which = set(args.tables.split(","))
    # (name, dimensions, units, hierarchical)
    tables = []
    if "flat" in which:
        tables += [
            ("2-D 20x20", [Dim.flat("A", 20), Dim.flat("B", 20)], 6000, False),
            ("3-D 10x10x10", [Dim.flat(n, 10) for n in "ABC"], 12000, False),
        ]
    # 1 + 4 + 24 = 29 codes a dimension: 24,389 cells; 1 + 5 + 40 = 46: 97,336 cells. About 20 units a cell of
    # leaves.
    if "hier25k" in which:
        tables.append(("3-D hier 25k", [Dim.hierarchical(n, 4, 6) for n in "ABC"], 20 * 24 ** 3, True))
    if "hier100k" in which:
        tables.append(("3-D hier 100k", [Dim.hierarchical(n, 5, 8) for n in "ABC"], 20 * 40 ** 3, True))
    print(f"{'table':14} {'rule':12} {'method':10} {'prim':>5} {'sec':>5} {'supp %':>7} {'time s':>8} "
          f"{'short (cellguard audit)':>24} {'short (HiGHS audit)':>20}")
    for name, dims, units, hierarchical in tables:
        rows = microdata(dims, units, args.seed, hierarchical)
        dim_names = [d.name for d in dims]
        with tempfile.TemporaryDirectory() as work:
            micro = os.path.join(work, "micro.csv")
            with open(micro, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=["id"] + dim_names + ["x"])
                w.writeheader()
                w.writerows(rows)
            codelists, hrc = [], None
            if hierarchical:
                hrc = {}
                for d in dims:
                    codelist, hrc[d.name] = write_hierarchy(d, work)
                    codelists += ["--codelist", f"{d.name}={codelist}"]
            table_csv = os.path.join(work, "table.csv")
            p, _ = run([args.cellguard, "tabulate", micro, "--rows", dim_names[0], "--cols", ",".join(dim_names[1:]),
                        "--value", "x", "--agg", "sum", "--unit", "id", "--margins", "-o", table_csv] + codelists)
            if p.returncode != 0:
                sys.exit(f"cellguard tabulate failed: {p.stderr}")
            cells, units = read_table(table_csv, dim_names)
            total = sum(abs(v) for v in cells.values())
            both = not hierarchical or args.hier_optimal
            for rule, (tau_rule, toml) in RULES.items():
                if rule not in args.rules:
                    continue
                policy = os.path.join(work, "policy.toml")
                with open(policy, "w") as f:
                    f.write(f'name = "{rule}"\n{toml}\n[zero]\nsampling = "safe"\n\n[suppression]\nsafety_range = 30.0\n')
                runs, levels, notes = [], None, []
                for cg_method in ["fast", "optimal"] if both else ["fast"]:
                    out = os.path.join(work, "out-" + cg_method)
                    p, t_cg = run([args.cellguard, "protect", table_csv, "--policy", policy, "--method", cg_method,
                                   "--time-limit", str(args.time_limit), "-o", out] + codelists)
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
                for method in ["MOD(1)", "OPT(1)"] if both else ["MOD(1)"]:
                    # The engine writes its logs into the working directory: the temporary one, not the checkout.
                    here = os.getcwd()
                    os.chdir(work)
                    try:
                        t0 = time.perf_counter()
                        res = pytauargus.protect(rows, tables=[dim_names], response="x", safety_rules=tau_rule,
                                                 suppress=method, totcode="Total", hrc=hrc,
                                                 hierleadstring="@" if hrc else None, workdir=work)
                        t_ta = time.perf_counter() - t0
                    finally:
                        os.chdir(here)
                    tr = res.tables[0]
                    pat, prim, sec = {}, 0, 0
                    for r in tr.rows:
                        key = tuple(str(r[d]).strip() for d in dim_names)
                        st = str(r["status"]).upper()
                        if st in ("U", "M", "D"):
                            pat[key] = True
                            prim += st == "U"
                            sec += st in ("M", "D")
                    missing = [k for k in pat if k not in cells]
                    if missing:
                        sys.exit(f"τ-ARGUS suppressed cells cellguard's table does not have, e.g. {missing[:3]}")
                    runs.append((f"tau {method[:3]}", prim, sec, pat, t_ta))
                for label, prim, sec, pat, t in runs:
                    supp = sum(abs(cells[k]) for k in pat if k in cells)
                    short_cg = cellguard_audit(args.cellguard, table_csv, dim_names, pat, policy, work, codelists)
                    short_lp = lp_audit(cells, units, dims, pat, levels)
                    print(f"{name:14} {rule:12} {label:10} {prim:5d} {sec:5d} {100 * supp / total:7.2f} {t:8.3f} "
                          f"{short_cg:24d} {short_lp:20d}", flush=True)
                for n in notes:
                    print(n, flush=True)


if __name__ == "__main__":
    main()

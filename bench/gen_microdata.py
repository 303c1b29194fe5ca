#!/usr/bin/env python3
"""Seeded synthetic person-year microdata for the demo and the ACRO side-by-side benchmark (stdlib only).

Columns: person_id, year, sex, age_class, origin, region, education, sector, wage (monthly gross, euro).
Wages are log-normal with a Pareto tail, so dominance rules have something to find; a few cells get negative
adjustments, some wages are missing.
"""
import argparse
import csv
import random
import sys


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--negatives", action="store_true", help="include a few negative wage corrections")
    ap.add_argument("--missing", action="store_true", help="leave about 1 %% of wages empty")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout if a.output == "-" else open(a.output, "w", newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["person_id", "year", "sex", "age_class", "origin", "region", "education", "sector", "wage"])
    regions = (["VL"] * 575 + ["WA"] * 320 + ["BXL"] * 105)
    origins = ["BE"] * 66 + ["EU14"] * 10 + ["EU13"] * 6 + ["Maghreb"] * 8 + ["SubSahara"] * 4 + ["Other"] * 6
    ages = ["18-24", "25-34", "35-44", "45-54", "55-64"]
    edu = ["low", "mid", "mid", "high", "high"]
    sectors = [f"S{i:02d}" for i in range(12)]
    person = 0
    rows = 0
    while rows < a.rows:
        person += 1
        sex = rng.choice("MF")
        region = rng.choice(regions)
        if region == "WA" and rng.random() < 0.02:
            region = "DG"
        origin = rng.choice(origins)
        age = rng.choice(ages)
        e = rng.choice(edu)
        sector = rng.choice(sectors)
        base = rng.lognormvariate(8.15, 0.33)
        if rng.random() < 0.003:
            base *= rng.paretovariate(1.2) * 8
        for year in range(2020, 2023):
            if rows >= a.rows:
                break
            if rng.random() < 0.15:
                continue
            wage = round(base * (1.02 ** (year - 2020)) * rng.uniform(0.97, 1.03), 2)
            if a.negatives and rng.random() < 0.0005:
                wage = -round(rng.uniform(10, 500), 2)
            field = "" if a.missing and rng.random() < 0.01 else f"{wage:.2f}"
            w.writerow([person, year, sex, age, origin, region, e, sector, field])
            rows += 1
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()

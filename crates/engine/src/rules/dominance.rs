//! Rule `dominance`: (n, k) dominance — the `n` largest contributions must not exceed `k` % of the cell total.
//!
//! # What it checks
//! For each (n, k) pair of the policy (several may apply at once), a magnitude cell is unsafe when
//! `top1 + … + topn > k/100 × value` (or `≥` with `inclusive = true`, as ACRO does). Cells with fewer than n units
//! are dominated by construction (their top n sum is the whole value). Cells whose value is 0 publish no
//! magnitude and are not judged by this rule; cells with negative or missing contributions are judged by `negative`
//! and `missing` instead.
//!
//! # Why
//! If one or two units make up most of a total, publishing the total publishes a close estimate of their value
//! (e.g. the largest employer's wage bill in a sector).
//!
//! # Parameters
//! `[[dominance]]` entries with `n`, `k` (percent) and `inclusive`. essnet (1, 50); acro (2, 90) inclusive;
//! sdctable (2, 85).
//!
//! # Example
//! value 1000, top1 700, top2 231: (2, 90) → 93.1 % > 90 % → unsafe, "top 2 = 93.1 % of value > 90.0 %".
//!
//! # References
//! Hundepool et al. (2012), Statistical Disclosure Control, §4.2.2 (dominance rule); τ-ARGUS 4.2 manual §4.2.2
//! ("dominance rule"); Bond, Brandt & de Wolf (2015) §3.2; ACRO 1.0 `sdcchecks.check_nk_dominance`.

use super::{Detail, Finding, Magnitudes, RuleCode, Status, push};
use crate::policy::Dominance;

pub(super) fn cell(m: &Magnitudes, d: &Dominance, out: &mut Vec<Finding>) {
    let k = d.n as usize;
    if m.decidable < k || m.value <= 0.0 {
        return;
    }
    let value = m.value;
    let top_sum: f64 = m.top.iter().take(k).sum();
    // Compare without dividing, so 90 % of 1000 is exactly 900.
    let lhs = top_sum * 100.0;
    let rhs = d.k * value;
    let fires = if d.inclusive { lhs >= rhs } else { lhs > rhs };
    if fires {
        let values = Detail::Dominance {
            n: d.n,
            k: d.k,
            inclusive: d.inclusive,
            top_sum,
            value,
        };
        push(out, RuleCode::Dominance, Status::Unsafe, values);
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{Dominance, Policy};
    use crate::rules::{check_table, testing::table};

    fn check(rules: &[(u32, f64, bool)], cells: &[(&str, u64, f64, &[f64])], expected: &[&str]) {
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.class_disclosure = None;
        p.dominance = rules
            .iter()
            .map(|&(n, k, inclusive)| Dominance { n, k, inclusive })
            .collect();
        let r = check_table(&table(cells), &p).unwrap();
        let got: Vec<String> = r
            .findings_of("dominance")
            .map(|f| f.detail(&r.dimensions))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn dominance() {
        check(
            &[(2, 90.0, false)],
            &[("a", 20, 1000.0, &[700.0, 231.0])],
            &["top 2 = 93.1 % of value > 90.0 %"],
        );
        check(
            &[(2, 90.0, false)],
            &[("a", 20, 1000.0, &[700.0, 200.0])],
            &[],
        );
        // Exactly k: only the inclusive (ACRO) form fires.
        check(
            &[(2, 90.0, true)],
            &[("a", 20, 1000.0, &[700.0, 200.0])],
            &["top 2 = 90.0 % of value ≥ 90.0 %"],
        );
        // A single unit dominates by construction, even without a top2 column value.
        check(
            &[(2, 85.0, false)],
            &[("a", 1, 50.0, &[50.0]), ("b", 30, 100.0, &[10.0, 9.0])],
            &["top 2 = 100.0 % of value > 85.0 %"],
        );
        // Several rules at once; zero-valued cells are not judged.
        check(
            &[(1, 50.0, false), (2, 85.0, false)],
            &[("a", 30, 100.0, &[60.0, 30.0]), ("b", 30, 0.0, &[0.0, 0.0])],
            &[
                "top 1 = 60.0 % of value > 50.0 %",
                "top 2 = 90.0 % of value > 85.0 %",
            ],
        );
    }

    /// Ported from Hundepool et al., *Handbook on Statistical Disclosure Control* (ESSnet SDC, 2nd ed.), chapter 4,
    /// "Sensitive cells in magnitude tables", Example 1: X = 100,000, x1 = 50,000, x2 = 49,000. The cell is safe
    /// under the (1, 90) rule (50,000 < 90,000), yet the second contributor estimates x1 as 51,000, within 2 %; the
    /// (2, k) rule sees it: with k = 100 × 100 / (100 + p) = 90.9 for p = 10 (the handbook's correspondence), the
    /// two largest are 99 % of the total.
    #[test]
    fn handbook_example_1() {
        let cell: &[(&str, u64, f64, &[f64])] = &[("a", 10, 100_000.0, &[50_000.0, 49_000.0])];
        check(&[(1, 90.0, false)], cell, &[]);
        check(
            &[(2, 100.0 * 100.0 / 110.0, false)],
            cell,
            &["top 2 = 99.0 % of value > 90.9 %"],
        );
    }

    /// Worked example of the (n, k) definition in Hundepool et al. (2012) §4.2.2 and the τ-ARGUS manual (our numbers,
    /// not the book's): contributions 60, 30, 5, 5 (total 100) are unsafe under (1, 50) and (2, 85), safe under (1, 75).
    #[test]
    fn definition_example() {
        let cell: &[(&str, u64, f64, &[f64])] = &[("a", 4, 100.0, &[60.0, 30.0, 5.0])];
        check(
            &[(1, 50.0, false)],
            cell,
            &["top 1 = 60.0 % of value > 50.0 %"],
        );
        check(
            &[(2, 85.0, false)],
            cell,
            &["top 2 = 90.0 % of value > 85.0 %"],
        );
        check(&[(1, 75.0, false)], cell, &[]);
    }
}

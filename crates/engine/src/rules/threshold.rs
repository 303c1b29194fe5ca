//! Rule `threshold`: a cell needs at least `min_units` distinct contributing units.
//!
//! # What it checks
//! Every non-empty cell whose number of distinct units `n` is below `threshold.min_units` is unsafe. Empty cells
//! (n = 0) are the `zero` rule's; cells with a missing `n` are the `missing` rule's.
//!
//! # Why
//! A cell of one unit publishes that unit's value; a cell of two lets each of them subtract itself and learn the
//! other. Counting *distinct units*, not rows, matters: ten rows of the same person are one person.
//!
//! # Parameters
//! `threshold.min_units` (essnet 10, acro 10, sdctable 4 = maxN 3 + 1).
//!
//! # Example
//! n = 3, min_units = 10 → unsafe, "3 units < 10".
//!
//! # References
//! Bond, Brandt & de Wolf (2015), Guidelines for Output Checking, §3.2 (rule of thumb: 10 units); Hundepool et al.
//! (2012), Statistical Disclosure Control, §4.2.1 (minimum frequency rule); τ-ARGUS 4.2 manual §4.2.2.

use super::{Detail, Finding, Lang, RuleCode, Status, push};
use crate::policy::Bad;
use serde::{Deserialize, Serialize};

/// Minimum number of distinct contributing units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub min_units: u64,
}

impl Threshold {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if self.min_units == 0 {
            return Err(Bad {
                field: "min_units",
                value: "0".into(),
                want: "must be at least 1 (omit [threshold] to turn the rule off)",
            });
        }
        Ok(())
    }
}

/// The rule's test, written once (the first look calls it too): a cell of 1 to `min_units − 1` units (an empty
/// cell is the `zero` rule's). Without branches, so the first look's loop over a block stays one: `n − 1` wraps
/// round for an empty cell, so one comparison says "1 ≤ n < min_units" (no cell when `min_units` is 0 or 1).
#[inline]
pub(super) fn too_few(n: u64, min_units: u64) -> bool {
    n.wrapping_sub(1) < min_units.saturating_sub(1)
}

/// Fires on a cell [`too_few`] says has too few units.
pub(super) fn cell(n: Option<u64>, t: &Threshold, out: &mut Vec<Finding>) {
    if let Some(n) = n {
        if too_few(n, t.min_units) {
            push(
                out,
                RuleCode::Threshold,
                Status::Unsafe,
                Detail::Threshold {
                    n,
                    min_units: t.min_units,
                },
            );
        }
    }
}

/// The finding in words: "3 units < 10".
pub(super) fn words(lang: Lang, n: u64, min_units: u64) -> String {
    format!("{} < {min_units}", lang.units(n))
}

#[cfg(test)]
mod tests {
    use super::too_few;
    use crate::policy::{Policy, Threshold};
    use crate::rules::RuleCode;
    use crate::rules::{check_table, testing::table};

    /// `cells`: (code, n); `expected`: the details of the threshold findings, in cell order.
    fn check(min_units: u64, cells: &[(&str, u64)], expected: &[&str]) {
        let rows: Vec<_> = cells.iter().map(|(c, n)| (*c, *n, 0.0, &[][..])).collect();
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = Some(Threshold { min_units });
        p.dominance.clear();
        p.class_disclosure = None;
        let r = check_table(&table(&rows), &p).unwrap();
        let got: Vec<String> = r
            .findings_of(RuleCode::Threshold)
            .map(|f| f.detail(&r.dimensions))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn threshold() {
        check(
            10,
            &[("a", 3), ("b", 10), ("c", 9), ("d", 0)],
            &["3 units < 10", "9 units < 10"],
        );
        check(1, &[("a", 1)], &[]);
        // Source: sdcTable `primarySuppression(type = "freq", maxN = 3)`: counts ≤ 3 are sensitive, i.e.
        // min_units = 4; a count of 4 is safe.
        check(4, &[("a", 3), ("b", 4)], &["3 units < 4"]);
    }

    /// The one-comparison test is "1 ≤ n < min_units" at every edge of the integers.
    #[test]
    fn too_few_is_from_one_to_below_the_minimum() {
        let edges = [0, 1, 2, 9, 10, 11, u64::MAX - 1, u64::MAX];
        for min_units in edges {
            for n in edges {
                assert_eq!(
                    too_few(n, min_units),
                    n >= 1 && n < min_units,
                    "n {n}, min_units {min_units}"
                );
            }
        }
    }
}

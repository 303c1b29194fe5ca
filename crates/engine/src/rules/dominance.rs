//! Rule `dominance`: (n, k) dominance — the `n` largest contributions must not exceed `k` % of the cell total.
//!
//! # What it checks
//! For each (n, k) pair of the policy (several may apply at once), a magnitude cell is unsafe when
//! `top1 + … + topn > k/100 × value` (or `≥` with `inclusive = true`, as ACRO does), compared exactly: a cell at
//! exactly k % in the table's own decimal numbers (0.9 + 0.8 of a cell of 2 is 85 %) is not dominant under the
//! strict rule, whatever the floats make of it (see `crate::exact`). Cells with fewer than n units
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

use super::magnitude::Magnitudes;
use super::words::above;
use super::{Detail, Finding, Lang, RuleCode, Status, push};
use crate::exact::{self, Form, Numbers, Term};
use crate::policy::Bad;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// (n, k) dominance: the `n` largest contributions must not exceed `k` % of the cell total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dominance {
    pub n: u32,
    pub k: f64,
    /// `true`: unsafe when the share is ≥ k (ACRO); `false`: unsafe when > k (τ-ARGUS, sdcTable).
    #[serde(default)]
    pub inclusive: bool,
}

impl Dominance {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if self.n == 0 || self.n > 8 {
            return Err(Bad {
                field: "n",
                value: self.n.to_string(),
                want: "must be between 1 and 8",
            });
        }
        if !(self.k > 0.0 && self.k <= 100.0) {
            return Err(Bad {
                field: "k",
                value: self.k.to_string(),
                want: "must be a percentage in (0, 100]",
            });
        }
        Ok(())
    }
}

/// Contributions are compared with the value as percentages: `100 × (x1 + … + xn)` against `k × value`.
const PERCENT: f64 = 100.0;

/// The rule's form, written once: `100 × (x1 + … + xn) − k × value`, in the table's own numbers; the rule fires
/// when it is above zero (at zero too when inclusive). For an unweighted cell, `top_and_value` is the n largest
/// contributions (0 for ranks the cell has no unit for) followed by the value.
#[inline(always)]
pub(super) fn form<const M: usize>(d: &Dominance, top_and_value: [f64; M]) -> [Term; M] {
    let mut terms = top_and_value.map(|x| (PERCENT, x, 1.0));
    if let Some(last) = terms.last_mut() {
        *last = value_term(d, last.1);
    }
    terms
}

/// The value's term of [`form`].
#[inline(always)]
fn value_term(d: &Dominance, value: f64) -> Term {
    (-d.k, value, 1.0)
}

/// The first look's test on an unweighted cell: whether [`form`] may be zero or more (the rule may fire).
#[inline(always)]
pub(super) fn may_dominate<const M: usize>(d: &Dominance, top_and_value: [f64; M]) -> bool {
    exact::may_be_nonnegative(&form(d, top_and_value))
}

/// Whether a form's exact sign makes the rule fire. Not a number: true, so the cell is looked at fully (fail
/// closed).
fn fires(d: &Dominance, sign: Option<Ordering>) -> bool {
    match sign {
        Some(Ordering::Greater) | None => true,
        Some(Ordering::Equal) => d.inclusive,
        Some(Ordering::Less) => false,
    }
}

/// The rule's exact test on the `n` largest contributions of an unweighted cell (more than three: the first
/// look's loops take up to three at a time).
pub(super) fn dominates(d: &Dominance, top: &[f64], value: f64, numbers: Numbers) -> bool {
    let mut largest = Form::<9>::default();
    for &x in top.iter().take(d.n as usize) {
        largest.push((PERCENT, x, 1.0));
    }
    largest.push(value_term(d, value));
    fires(d, largest.sign(numbers))
}

pub(super) fn cell(m: &Magnitudes, d: &Dominance, out: &mut Vec<Finding>) {
    if m.value <= 0.0 {
        return;
    }
    let copies = f64::from(d.n);
    // An unweighted cell's form has at most n + 1 terms; a weighted one's more (units taken in part).
    let decided = if m.room_weighted() {
        test::<48>(m, d, copies)
    } else {
        test::<12>(m, d, copies)
    };
    // `None`: contributions the table does not give; the `missing` rule says so.
    if decided == Some(true) {
        let values = Detail::Dominance {
            n: d.n,
            k: d.k,
            inclusive: d.inclusive,
            top_sum: m.largest_sum(copies),
            value: m.value,
        };
        push(out, RuleCode::Dominance, Status::Unsafe, values);
    }
}

/// The rule's exact test on a cell: its form with the `copies` largest contributions (weighted or not), in a
/// form with room for `N` terms. `None` when the table does not give enough contributions.
fn test<const N: usize>(m: &Magnitudes, d: &Dominance, copies: f64) -> Option<bool> {
    let mut form = Form::<N>::default();
    if !m.largest(copies, PERCENT, &mut form) {
        return None;
    }
    form.push(value_term(d, m.value));
    Some(fires(d, form.sign(m.numbers)))
}

/// The finding in words: "top 2 = 93.1 % of value > 90.0 %".
pub(super) fn words(lang: Lang, n: u32, k: f64, inclusive: bool, share: f64) -> String {
    let (share, op, k) = (lang.pct(share), above(inclusive), lang.pct(k));
    match lang {
        Lang::En => format!("top {n} = {share} of value {op} {k}"),
        Lang::Nl => format!("grootste {n} = {share} van de waarde {op} {k}"),
        Lang::Fr => format!("les {n} plus grandes = {share} de la valeur {op} {k}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{Dominance, Policy};
    use crate::rules::RuleCode;
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
            .findings_of(RuleCode::Dominance)
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

    /// Exactly k % in the table's decimal numbers is on the side the rule says, whatever the floats make of it:
    /// 0.9 + 0.8 of a cell of 2 is exactly 85 % (in floats, 0.9 + 0.8 = 1.7000000000000002, above 85 %).
    /// Source: τ-ARGUS 4.2 manual §4.2.2 and Hundepool et al. (2012) §4.2.2 define the (n, k) rule with a strict
    /// "more than k %"; ACRO's inclusive form fires at k %.
    #[test]
    fn exactly_k_percent_in_decimals() {
        let cell: &[(&str, u64, f64, &[f64])] = &[("a", 5, 2.0, &[0.9, 0.8])];
        check(&[(2, 85.0, false)], cell, &[]);
        check(
            &[(2, 85.0, true)],
            cell,
            &["top 2 = 85.0 % of value ≥ 85.0 %"],
        );
        // One step past the boundary in the last decimal is dominant.
        check(
            &[(2, 85.0, false)],
            &[("a", 5, 2.0, &[0.9, 0.8000000001])],
            &["top 2 = 85.0 % of value > 85.0 %"],
        );
        // ACRO's (2, 90) with `>=`: 0.7 + 0.2 is 90 % of 1, though floats make it 0.8999999999999999 (ACRO
        // itself passes this cell; bench/acro/DIFFERENCES.md).
        check(
            &[(2, 90.0, true)],
            &[("a", 5, 1.0, &[0.7, 0.2])],
            &["top 2 = 90.0 % of value ≥ 90.0 %"],
        );
        // A k that is no binary fraction: 90.9 % of 1000 is 909.
        check(&[(1, 90.9, false)], &[("a", 5, 1000.0, &[909.0])], &[]);
        check(
            &[(1, 90.9, true)],
            &[("a", 5, 1000.0, &[909.0])],
            &["top 1 = 90.9 % of value ≥ 90.9 %"],
        );
    }

    /// A table read from a binary file (Arrow, Parquet) holds floats, and the rule compares their exact values:
    /// the float 0.9 + the float 0.8 is a little more than 85 % of 2.
    #[test]
    fn binary_numbers_are_compared_as_floats() {
        let mut t = table(&[("a", 5, 2.0, &[0.9, 0.8])]);
        t.set_numbers(crate::exact::Numbers::Binary);
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.class_disclosure = None;
        p.dominance = vec![Dominance {
            n: 2,
            k: 85.0,
            inclusive: false,
        }];
        let r = check_table(&t, &p).unwrap();
        assert_eq!(r.findings_of(RuleCode::Dominance).count(), 1);
    }

    /// Sampling weights replicate a unit (τ-ARGUS 4.2 manual §4.2.2, "sampling weights"; Hundepool et al. 2012,
    /// §4.2): one contribution 100 of weight 4 and one of 10 of weight 7 make a cell of 470 whose two largest
    /// are 100 + 100 = 200, 42.6 %: (2, 85) does not fire. Multiplying each unit by its weight instead (400 + 70)
    /// would call it 100 % dominant. A weighted table without its units' weights cannot be decided.
    #[test]
    fn sampling_weights_replicate_units() {
        use crate::column::Column;
        let weighted = |weights: Option<(f64, f64)>| {
            let mut t = table(&[("a", 2, 470.0, &[100.0, 10.0])]);
            let mut s = t.shadow().clone();
            s.weight = Some(Column::from(vec![Some(11.0)]));
            if let Some((a, b)) = weights {
                s.top_weight = vec![Column::from(vec![Some(a)]), Column::from(vec![Some(b)])];
            }
            t = crate::table::Table::new("t", t.dims().to_vec(), t.coords().to_vec(), vec![2], s)
                .unwrap();
            t
        };
        let policy = |n: u32, k: f64| {
            let mut p = Policy::preset("essnet").unwrap();
            p.threshold = None;
            p.class_disclosure = None;
            p.dominance = vec![Dominance {
                n,
                k,
                inclusive: false,
            }];
            p
        };
        let found = |t: &crate::table::Table, p: &Policy| {
            let r = check_table(t, p).unwrap();
            r.findings_of(RuleCode::Dominance)
                .chain(r.findings_of(RuleCode::Missing))
                .map(|f| f.detail(&r.dimensions))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found(&weighted(Some((4.0, 7.0))), &policy(2, 85.0)),
            Vec::<String>::new()
        );
        // (2, 40) does fire on the replicated top 2.
        assert_eq!(
            found(&weighted(Some((4.0, 7.0))), &policy(2, 40.0)),
            ["top 2 = 42.6 % of value > 40.0 %"]
        );
        assert_eq!(
            found(&weighted(None), &policy(2, 85.0)),
            ["`top1_weight` is missing: the rules that need it cannot decide"]
        );
        // Weights below one that do not reach two copies, in a cell with more units than the table shows.
        let mut t = weighted(Some((0.5, 0.5)));
        let mut s = t.shadow().clone();
        s.n = Column::from(vec![Some(5)]);
        t = crate::table::Table::new("t", t.dims().to_vec(), t.coords().to_vec(), vec![2], s)
            .unwrap();
        assert_eq!(
            found(&t, &policy(2, 85.0)),
            ["`top3` is missing: the rules that need it cannot decide"]
        );
    }
}

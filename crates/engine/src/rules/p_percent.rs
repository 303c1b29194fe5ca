//! Rules `p-percent` and `pq`: the second-largest contributor must not estimate the largest too closely.
//!
//! # What it checks
//! p %: a magnitude cell is unsafe when `value − top1 − top2 < p/100 × top1`: the second-largest unit, who knows
//! its own contribution, can subtract it from the published total and learn the largest one to within p %.
//! pq: the same with prior knowledge — every contribution is already known to within q %, so the cell is unsafe
//! when `value − top1 − top2 < p/q × top1`. With q = 100 pq equals p %. Cells whose value is 0 are not judged;
//! cells with negative or missing contributions are judged by `negative` and `missing`.
//!
//! # Why
//! Dominance rules ignore who attacks; the p % rule models the strongest outsider-insider attack (the runner-up),
//! which is why τ-ARGUS and the SDC handbook recommend it over (n, k).
//!
//! # Parameters
//! `p_percent.p` (acro 10, from ACRO's `safe_pratio_p = 0.10`; sdctable 80); `pq.p`, `pq.q` (sdctable 25, 50).
//!
//! # Example
//! value 1000, top1 900, top2 60: remainder 40 < 10 % × 900 = 90 → unsafe.
//!
//! # References
//! Hundepool et al. (2012), Statistical Disclosure Control, §4.2.3 (p % rule) and §4.2.4 (pq rule); τ-ARGUS 4.2
//! manual §4.2.2; ACRO 1.0 `sdcchecks.check_ppercent_dominance`.

use super::magnitude::Magnitudes;
use super::{Detail, Finding, Lang, RuleCode, Status, derived, push};
use crate::exact::{self, Form, Term};
use crate::policy::Bad;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// p % rule: the second-largest contributor must not estimate the largest within `p` %.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PPercent {
    pub p: f64,
}

/// pq rule: as p %, for an intruder who already knows every contribution within `q` %.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pq {
    pub p: f64,
    pub q: f64,
}

impl PPercent {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if !(self.p > 0.0 && self.p <= 100.0) {
            return Err(Bad {
                field: "p",
                value: self.p.to_string(),
                want: "must be a percentage in (0, 100]",
            });
        }
        Ok(())
    }
}

impl Pq {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if !(self.p > 0.0 && self.p <= 100.0) {
            return Err(Bad {
                field: "p",
                value: self.p.to_string(),
                want: "must be a percentage in (0, 100]",
            });
        }
        if !(self.q >= self.p && self.q <= 100.0) {
            return Err(Bad {
                field: "q",
                value: self.q.to_string(),
                want: "must be a percentage in [p, 100]",
            });
        }
        Ok(())
    }
}

/// The form of both rules, written once: `a × value − a × x1 − a × x2 − b × x1`, that is `a × (value − x1 − x2)
/// − b × x1`, with `(a, b)` = `(100, p)` for p % and `(q, p)` for pq ([`ratio_p`], [`ratio_pq`]), in the table's
/// own numbers; the rule fires when it is below zero (a remainder of exactly p % of x1 is safe). For an
/// unweighted cell x1 and x2 are its two largest contributions.
#[inline(always)]
pub(super) fn form((a, b): (f64, f64), value: f64, x1: f64, x2: f64) -> [Term; 4] {
    [(a, value, 1.0), (-a, x1, 1.0), (-a, x2, 1.0), (-b, x1, 1.0)]
}

/// The first look's test on an unweighted cell: whether [`form`] may be below zero (the rule may fire).
#[inline(always)]
pub(super) fn may_estimate_closely(ratio: (f64, f64), value: f64, x1: f64, x2: f64) -> bool {
    exact::may_be_negative(&form(ratio, value, x1, x2))
}

/// Whether a form's exact sign makes the rule fire. Not a number: true, so the cell is looked at fully (fail
/// closed).
fn fires(sign: Option<Ordering>) -> bool {
    matches!(sign, Some(Ordering::Less) | None)
}

/// `(a, b)` of the test for the p % rule: `100 × remainder < p × x1`.
pub(super) fn ratio_p(p: &PPercent) -> (f64, f64) {
    (100.0, p.p)
}

/// `(a, b)` of the test for the pq rule: `q × remainder < p × x1`.
pub(super) fn ratio_pq(pq: &Pq) -> (f64, f64) {
    (pq.q, pq.p)
}

/// `(value, x1, x2)` when the cell fails the test; x1 and x2 are the largest and second-largest contributions
/// (with sampling weights, the first and second copies: a unit of weight ≥ 2 is both). The remainder, `value −
/// x1 − x2`, is derived again where the finding is shown ([`Detail::named`]).
fn fails(m: &Magnitudes, ratio: (f64, f64)) -> Option<(f64, f64, f64)> {
    if m.value <= 0.0 {
        return None;
    }
    let decided = if m.room_weighted() {
        test::<48>(m, ratio)
    } else {
        test::<8>(m, ratio)
    };
    // `None`: contributions the table does not give; the `missing` rule says so.
    if decided != Some(true) {
        return None;
    }
    let (x1, x12) = (m.largest_sum(1.0), m.largest_sum(2.0));
    (x1 > 0.0).then_some((m.value, x1, x12 - x1))
}

/// The rules' exact test on a cell, in a form with room for `N` terms: the value's term of [`form`], then
/// x1 + x2 as the two largest copies and x1 as the largest (with weights, a unit of weight ≥ 2 is both). `None`
/// when the table does not give enough contributions.
fn test<const N: usize>(m: &Magnitudes, (a, b): (f64, f64)) -> Option<bool> {
    let mut form = Form::<N>::default();
    form.push((a, m.value, 1.0));
    if !(m.largest(2.0, -a, &mut form) && m.largest(1.0, -b, &mut form)) {
        return None;
    }
    Some(fires(form.sign(m.numbers)))
}

pub(super) fn cell_p(m: &Magnitudes, p: &PPercent, out: &mut Vec<Finding>) {
    if let Some((value, top1, top2)) = fails(m, ratio_p(p)) {
        let values = Detail::PPercent {
            p: p.p,
            value,
            top1,
            top2,
        };
        push(out, RuleCode::PPercent, Status::Unsafe, values);
    }
}

pub(super) fn cell_pq(m: &Magnitudes, pq: &Pq, out: &mut Vec<Finding>) {
    if let Some((value, top1, top2)) = fails(m, ratio_pq(pq)) {
        let values = Detail::Pq {
            p: pq.p,
            q: pq.q,
            value,
            top1,
            top2,
        };
        push(out, RuleCode::Pq, Status::Unsafe, values);
    }
}

/// The p % finding in words: the remainder against p % of the largest contribution.
pub(super) fn words_p(lang: Lang, p: f64, top1: f64, remainder: f64) -> String {
    let (r, pc, bound) = (
        lang.num(remainder),
        lang.pct(p),
        lang.num(derived(p / 100.0 * top1)),
    );
    match lang {
        Lang::En => format!(
            "value − top 1 − top 2 = {r} < {pc} × top 1 = {bound}: the second-largest unit can estimate the largest within {pc}"
        ),
        Lang::Nl => format!(
            "waarde − top 1 − top 2 = {r} < {pc} × top 1 = {bound}: de op één na grootste eenheid kan de grootste schatten binnen {pc}"
        ),
        Lang::Fr => format!(
            "valeur − top 1 − top 2 = {r} < {pc} × top 1 = {bound} : la deuxième unité peut estimer la plus grande à {pc} près"
        ),
    }
}

/// The pq finding in words: the remainder against p/q of the largest contribution.
pub(super) fn words_pq(lang: Lang, p: f64, q: f64, top1: f64, remainder: f64) -> String {
    let value = match lang {
        Lang::En => "value",
        Lang::Nl => "waarde",
        Lang::Fr => "valeur",
    };
    format!(
        "{value} − top 1 − top 2 = {} < p/q × top 1 = {}/{} × {} = {}",
        lang.num(remainder),
        lang.num(p),
        lang.num(q),
        lang.num(top1),
        lang.num(derived(p / q * top1))
    )
}

#[cfg(test)]
mod tests {
    use crate::policy::{PPercent, Policy, Pq};
    use crate::rules::RuleCode;
    use crate::rules::{check_table, testing::table};

    fn check(
        p: Option<f64>,
        pq: Option<(f64, f64)>,
        cells: &[(&str, u64, f64, &[f64])],
        expected: &[&str],
    ) {
        let mut pol = Policy::preset("essnet").unwrap();
        pol.threshold = None;
        pol.dominance.clear();
        pol.class_disclosure = None;
        pol.p_percent = p.map(|p| PPercent { p });
        pol.pq = pq.map(|(p, q)| Pq { p, q });
        let r = check_table(&table(cells), &pol).unwrap();
        let got: Vec<String> = r
            .findings_of(RuleCode::PPercent)
            .chain(r.findings_of(RuleCode::Pq))
            .map(|f| f.detail(&r.dimensions))
            .collect();
        assert_eq!(got, expected);
    }

    /// Ported from Hundepool et al., *Handbook on Statistical Disclosure Control* (ESSnet SDC, 2nd ed.), chapter 4,
    /// "Sensitive cells in magnitude tables", Example 1: X = 100,000, x1 = 50,000, x2 = 49,000. The second
    /// contributor's estimate X − x2 = 51,000 overestimates x1 by 2 % only, so the cell is sensitive for any p > 2:
    /// X − x1 − x2 = 1,000 < p/100 × x1 (5,000 for p = 10), and safe for p = 2 (1,000 is not < 1,000).
    #[test]
    fn handbook_example_1() {
        let cell: &[(&str, u64, f64, &[f64])] = &[("a", 10, 100_000.0, &[50_000.0, 49_000.0])];
        check(
            Some(10.0),
            None,
            cell,
            &[
                "value − top 1 − top 2 = 1000 < 10.0 % × top 1 = 5000: the second-largest unit can estimate the largest within 10.0 %",
            ],
        );
        check(Some(2.0), None, cell, &[]);
    }

    #[test]
    fn p_percent() {
        check(
            Some(10.0),
            None,
            &[
                ("a", 5, 1000.0, &[900.0, 60.0]),
                ("b", 5, 1000.0, &[500.0, 300.0]),
            ],
            &[
                "value − top 1 − top 2 = 40 < 10.0 % × top 1 = 90: the second-largest unit can estimate the largest within 10.0 %",
            ],
        );
        // One unit: no remainder at all.
        check(
            Some(10.0),
            None,
            &[("a", 1, 70.0, &[70.0]), ("b", 30, 100.0, &[10.0, 9.0])],
            &[
                "value − top 1 − top 2 = 0 < 10.0 % × top 1 = 7: the second-largest unit can estimate the largest within 10.0 %",
            ],
        );
        // All-zero contributions publish nothing to estimate.
        check(Some(10.0), None, &[("a", 12, 0.0, &[0.0, 0.0])], &[]);
    }

    /// Worked example of the definitions in Hundepool et al. (2012) §4.2.3–4.2.4 (our numbers, not the book's):
    /// contributions 100, 50, 3, 2 (total 155) leave a remainder of 5; p = 10 → 5 < 10, unsafe; pq (10, 50) →
    /// 5 < 0.2 × 100 = 20, unsafe; p = 4 → 5 ≥ 4, safe.
    #[test]
    fn definition_example() {
        let cell: &[(&str, u64, f64, &[f64])] = &[("a", 4, 155.0, &[100.0, 50.0, 3.0])];
        check(
            Some(10.0),
            None,
            cell,
            &[
                "value − top 1 − top 2 = 5 < 10.0 % × top 1 = 10: the second-largest unit can estimate the largest within 10.0 %",
            ],
        );
        check(Some(4.0), None, cell, &[]);
        check(
            None,
            Some((10.0, 50.0)),
            cell,
            &["value − top 1 − top 2 = 5 < p/q × top 1 = 10/50 × 100 = 20"],
        );
        // q = 100 makes pq the p % rule.
        check(None, Some((4.0, 100.0)), cell, &[]);
    }

    /// A remainder of exactly p % of the largest contribution is safe (the rule is "less than"), in the table's
    /// decimal numbers: 10 % of 0.7 is 0.07, and 1.1 − 0.7 − 0.33 = 0.07 (in floats 0.07000000000000006, and
    /// 0.1 × 0.7 = 0.06999999999999999). Source: Hundepool et al. (2012) §4.2.3; τ-ARGUS 4.2 manual §4.2.2.
    #[test]
    fn exactly_p_percent_in_decimals() {
        check(Some(10.0), None, &[("a", 5, 1.1, &[0.7, 0.33])], &[]);
        check(
            Some(10.0),
            None,
            &[("a", 5, 1.1, &[0.7, 0.3300001])],
            &[
                "value − top 1 − top 2 = 0.0699999 < 10.0 % × top 1 = 0.07: the second-largest unit can estimate the largest within 10.0 %",
            ],
        );
        // pq (10, 50): 50 × (0.91 − 0.7 − 0.07) = 7 = 10 × 0.7 exactly, safe.
        check(
            None,
            Some((10.0, 50.0)),
            &[("a", 5, 0.91, &[0.7, 0.07])],
            &[],
        );
    }
}

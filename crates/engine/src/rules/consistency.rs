//! Rule `consistency`: a cell whose shadow numbers contradict each other.
//!
//! # What it checks
//! A cell whose numbers cannot all be true gets a finding with the policy's `inconsistent` action, one for each
//! of: its top contributions add up to more than its value beyond the rounding of sums (a part in a billion; in
//! a weighted table each contribution times its unit's weight); its top contributions are not in descending order
//! (`top2` above `top1`); it has a `top{k}` above zero but fewer than k units; it has no units but a value other
//! than zero. The other rules still judge the cell; this finding
//! says their numbers are in doubt.
//!
//! # Why
//! A hand-made table (or one made by another tool) can carry a mistake the rules would otherwise take at its word:
//! with top1 > value, the dominance share is over 100 % and the p % remainder negative, and nobody is told why. The
//! verdict on such a cell must be looked at by a person.
//!
//! # Parameters
//! `inconsistent`: `review` (all presets) or `unsafe`; the policy refuses `safe` (a verdict on numbers that
//! contradict each other is no verdict).
//!
//! # Example
//! value 100, top1 120 → "top contributions 120 > value 100: the table's numbers contradict each other".
//!
//! # References
//! τ-ARGUS 4.2 manual §3.4 (the table's shadow variables must be consistent: the "top n" contributions are part
//! of the cell's total); Bond, Brandt & de Wolf (2015) §3 (an output must be checkable from its own numbers).

use super::{Columns, Detail, Finding, Lang, RuleCode, Status, push};

/// The rule's test of two neighbouring top contributions, written once (the first look calls it too): the lower
/// rank holds the larger one.
#[inline]
pub(super) fn out_of_order(top: f64, next: f64) -> bool {
    top < next
}

/// The rule's test of a cell's units and a top contribution of rank `k + 1` (from 0): above zero with `k` units or
/// fewer.
#[inline]
pub(super) fn beyond_units(n: u64, k: u64, top: f64) -> bool {
    n <= k && top > 0.0
}

/// The rule's test of a cell's units and value: no units, a value other than zero.
#[inline]
pub(super) fn empty_with_value(n: u64, value: f64) -> bool {
    n == 0 && value != 0.0
}

/// The first look's condition for the tests on the units ([`beyond_units`], [`empty_with_value`]), from the
/// units alone: fewer units than the table has top columns, or none. Both tests need it: a top contribution of
/// rank k + 1 beyond the units means k units or fewer, below the `top_columns` the table has; an empty cell has
/// no units.
#[inline]
pub(super) fn units_may_contradict(n: u64, top_columns: u64) -> bool {
    n < top_columns.max(1)
}

/// The rule's test of a cell's top contributions against its value, written once: their sum (in a weighted
/// table each times its unit's weight; `magnitude` the sum of their absolute values) is more than the value,
/// beyond the rounding of sums. A tabulated value is a float sum of its units' contributions, as each top
/// contribution is of its unit's rows, so an exact comparison would call rounding a contradiction; a part in a
/// billion is far below any mistake this rule is for. A contribution that is not a number is left out of the sum
/// (the `missing` rule's), which the first look does alike.
#[inline(always)]
pub(super) fn tops_above_value(sum: f64, magnitude: f64, value: f64) -> bool {
    sum - value > 1e-9 * (magnitude + value.abs())
}

/// The first look's condition for [`tops_above_value`] on an unweighted cell, cheap enough for every cell:
/// `sum` is the cell's top contributions as the value arrays hold them (a missing one as 0, one that is not a
/// number as it is). It holds whenever the rule's test does: with every top a number the two sums are the same
/// and the rule's test implies `sum > value`; with one that is not, `sum` is no finite number and is flagged.
#[inline]
pub(super) fn may_be_above_value(sum: f64, value: f64) -> bool {
    (sum > value) | !sum.is_finite()
}

/// Whether the rule's tests on an unweighted cell's top contributions may fire, without a branch on them (the
/// first look's test, and [`may_fire`]'s): `tops` as the value arrays hold them (a missing one as the 0 stored
/// for it, one that cannot be read or is not a number as not a number), `value` likewise (infinity when the table
/// has none: only a sum that is no number is then flagged). Two neighbours out of order ([`cell`] compares only
/// neighbours it has, so never more pairs), or [`may_be_above_value`].
#[inline(always)]
pub(super) fn tops_may_contradict(value: f64, tops: impl IntoIterator<Item = f64>) -> bool {
    let (mut sum, mut previous, mut found) = (0.0f64, f64::INFINITY, false);
    for t in tops {
        found |= out_of_order(previous, t);
        sum += t;
        previous = t;
    }
    found | may_be_above_value(sum, value)
}

/// Whether any of the rule's tests may fire on cell `i`, taken without a branch on the cell's numbers (which cells
/// contradict themselves cannot be predicted): [`tops_may_contradict`], and the tests on the units on the
/// numbers as the arrays hold them (a missing entry as the 0 stored for it, which may fire a test [`cell`] then
/// skips, never the other way round). A weighted table always says yes (the weights enter the sum).
#[inline]
fn may_fire(c: &Columns, i: usize) -> bool {
    let raw = |col: &crate::table::Column<f64>| col.values().get(i).copied().unwrap_or(f64::NAN);
    let n = c.n.values().get(i).copied().unwrap_or(0);
    let value = c.value.map(raw);
    let beyond = (c.top.iter().enumerate())
        .fold(false, |f, (k, col)| f | beyond_units(n, k as u64, raw(col)));
    c.weighted
        | beyond
        | value.is_some_and(|v| empty_with_value(n, v))
        | tops_may_contradict(
            value.unwrap_or(f64::INFINITY),
            c.top.iter().map(|&col| raw(col)),
        )
}

/// Adds a finding for each contradiction in cell `i`'s numbers.
pub(super) fn cell(c: &Columns, i: usize, action: Status, out: &mut Vec<Finding>) {
    if !may_fire(c, i) {
        return;
    }
    let n = c.n(i);
    let value = c.value(i).filter(|v| v.is_finite());
    let mut tops = [(0.0, 1.0); crate::topk::MAX_TOP];
    let mut known = 0;
    let mut previous: Option<f64> = None;
    for (k, col) in c.top.iter().enumerate() {
        let Some(t) = col.get(i).filter(|t| t.is_finite()) else {
            previous = None;
            continue;
        };
        let w = if c.weighted {
            c.top_weight.get(k).and_then(|w| w.get(i)).unwrap_or(1.0)
        } else {
            1.0
        };
        if let Some(slot) = tops.get_mut(known) {
            *slot = (t, w);
            known += 1;
        }
        if let Some(p) = previous.filter(|&p| out_of_order(p, t)) {
            push(
                out,
                RuleCode::Consistency,
                action,
                Detail::TopsOutOfOrder {
                    rank: k as u32,
                    top: p,
                    next: t,
                },
            );
        }
        if let Some(n) = n.filter(|&n| beyond_units(n, k as u64, t)) {
            push(
                out,
                RuleCode::Consistency,
                action,
                Detail::TopsBeyondUnits {
                    n,
                    rank: k as u32 + 1,
                },
            );
        }
        previous = Some(t);
    }
    if let Some(v) = value {
        let tops = tops.get(..known).unwrap_or(&[]);
        let sum: f64 = tops.iter().map(|(t, w)| t * w).sum();
        let magnitude: f64 = tops.iter().map(|(t, w)| (t * w).abs()).sum();
        if tops_above_value(sum, magnitude, v) {
            push(
                out,
                RuleCode::Consistency,
                action,
                Detail::TopsAboveValue {
                    tops: sum,
                    value: v,
                },
            );
        }
        if let Some(n) = n.filter(|&n| empty_with_value(n, v)) {
            push(
                out,
                RuleCode::Consistency,
                action,
                Detail::EmptyWithValue { n, value: v },
            );
        }
    }
}

/// The top contributions add up to more than the value.
pub(super) fn words_above(lang: Lang, tops: f64, value: f64) -> String {
    let (tops, value) = (lang.num(tops), lang.num(value));
    match lang {
        Lang::En => format!(
            "top contributions {tops} > value {value}: the table's numbers contradict each other"
        ),
        Lang::Nl => format!(
            "topbijdragen {tops} > waarde {value}: de getallen van de tabel spreken elkaar tegen"
        ),
        Lang::Fr => format!(
            "contributions maximales {tops} > valeur {value} : les nombres du tableau se contredisent"
        ),
    }
}

/// `top{rank}` is below `top{rank + 1}`.
pub(super) fn words_order(lang: Lang, rank: u32, top: f64, next: f64) -> String {
    let (top, next, after) = (lang.num(top), lang.num(next), rank + 1);
    match lang {
        Lang::En => format!(
            "top{rank} = {top} < top{after} = {next}: top contributions must be in descending order"
        ),
        Lang::Nl => format!(
            "top{rank} = {top} < top{after} = {next}: topbijdragen moeten in dalende volgorde staan"
        ),
        Lang::Fr => format!(
            "top{rank} = {top} < top{after} = {next} : les contributions maximales doivent être en ordre décroissant"
        ),
    }
}

/// `top{rank}` is above zero in a cell of fewer units.
pub(super) fn words_beyond(lang: Lang, n: u64, rank: u32) -> String {
    let units = lang.units(n);
    match lang {
        Lang::En => format!("{units} but a top{rank}: a cell has no more contributions than units"),
        Lang::Nl => {
            format!("{units} maar een top{rank}: een cel heeft niet meer bijdragen dan eenheden")
        }
        Lang::Fr => format!(
            "{units} mais un top{rank} : une cellule n'a pas plus de contributions que d'unités"
        ),
    }
}

/// No units, a value.
pub(super) fn words_empty(lang: Lang, n: u64, value: f64) -> String {
    let (units, value) = (lang.units(n), lang.num(value));
    match lang {
        Lang::En => format!("{units} but value {value}: an empty cell has no magnitude"),
        Lang::Nl => format!("{units} maar waarde {value}: een lege cel heeft geen grootte"),
        Lang::Fr => format!("{units} mais valeur {value} : une cellule vide n'a pas de grandeur"),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::testing::{details, table};
    use crate::rules::{RuleCode, check_table};

    /// `cells`: (code, n, value, tops); `expected`: "cell: detail" for every consistency finding.
    fn check(cells: &[(&str, u64, f64, &[f64])], expected: &[&str]) {
        let mut p = Policy::preset("essnet").unwrap();
        p.class_disclosure = None;
        let r = check_table(&table(cells), &p).unwrap();
        assert_eq!(details(&r, RuleCode::Consistency), expected);
        // Review under every preset: the cell is never passed as safe on numbers that contradict each other.
        for (c, _) in r.cells_with(RuleCode::Consistency) {
            assert!(r.cell(c).is_some_and(|c| c.status >= crate::Status::Review));
        }
    }

    /// The rule's example, and each kind of contradiction once; a consistent cell has none.
    #[test]
    fn contradictions() {
        check(
            &[
                ("a", 20, 100.0, &[120.0]),
                ("b", 20, 100.0, &[30.0, 40.0]),
                ("c", 1, 100.0, &[60.0, 40.0]),
                ("d", 0, 5.0, &[]),
                ("e", 20, 100.0, &[50.0, 30.0]),
                // 0.2 + 0.1 is 0.30000000000000004 in floats: rounding, not a contradiction.
                ("f", 20, 0.3, &[0.2, 0.1]),
                // Above by one part in a million: a contradiction.
                ("g", 20, 1e6, &[999_999.0, 2.0]),
            ],
            &[
                "0: top contributions 120 > value 100: the table's numbers contradict each other",
                "1: top1 = 30 < top2 = 40: top contributions must be in descending order",
                "2: 1 unit but a top2: a cell has no more contributions than units",
                "3: 0 units but value 5: an empty cell has no magnitude",
                "6: top contributions 1000001 > value 1000000: the table's numbers contradict each other",
            ],
        );
    }
}

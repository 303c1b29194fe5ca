//! Rule `negative`: cells with negative contributions, decided cell by cell.
//!
//! # What it checks
//! A cell whose value is negative, whose top contributions include a negative one, or whose `n_negative` column
//! counts units with a negative contribution gets a finding with the policy's `negative` action. The magnitude
//! rules (dominance, p %, pq) skip *that cell only*; every other cell of the table is still judged by them. A
//! value or contribution stored as NaN or infinite (−∞ too) is missing, which the `missing` rule reports; it is
//! not negative.
//!
//! # Why
//! Dominance and p % rules assume non-negative contributions: with a loss of −900 and a profit of 1000 in one cell,
//! "the largest contribution's share" means nothing. ACRO 1.0 turns the dominance checks off for the whole table as
//! soon as one negative value appears; cellguard keeps judging the cells where the rules are defined.
//!
//! # Parameters
//! `negative`: `review` (all presets) or `unsafe`; the policy refuses `safe` (the magnitude rules skip the cell,
//! so nothing else decides it).
//!
//! # Example
//! value -120.5 → "value -120.5 < 0: dominance and p % rules assume non-negative contributions; check by hand".
//!
//! # References
//! Hundepool et al. (2012), Statistical Disclosure Control, §4.2.5 (negative contributions: apply the rules to
//! absolute values or judge by hand); ACRO 1.0 `sdcchecks.check_nk_dominance` (`num_negative`).

use super::{Columns, Detail, Finding, Lang, Negatives, RuleCode, Status, push};

/// The rule's test of one number, written once (the first look calls it too): below zero. A NaN is not below
/// zero (it is missing, the `missing` rule's).
#[inline]
pub(super) fn below_zero(x: f64) -> bool {
    x < 0.0
}

pub(super) fn cell(c: &Columns, i: usize, action: Status, out: &mut Vec<Finding>) {
    // A value or contribution stored as NaN or infinite is missing (the `missing` rule says so), not negative.
    let value = c.value(i).filter(|v| v.is_finite());
    let negative_units = c.n_negative.and_then(|v| v.get(i));
    let smallest_top = c
        .top
        .iter()
        .filter_map(|col| col.get(i).filter(|t| t.is_finite()))
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))));
    let fires = value.is_some_and(below_zero)
        || negative_units.is_some_and(|u| u > 0)
        || smallest_top.is_some_and(below_zero);
    if fires {
        push(
            out,
            RuleCode::Negative,
            action,
            Detail::Negative(Negatives::new(value, negative_units, smallest_top)),
        );
    }
}

/// The finding in words: what is negative, and why the magnitude rules step aside.
pub(super) fn words(
    lang: Lang,
    value: Option<f64>,
    negative_units: Option<u64>,
    smallest_top: Option<f64>,
) -> String {
    let mut why = Vec::new();
    if let Some(v) = value.filter(|v| below_zero(*v)) {
        why.push(match lang {
            Lang::En => format!("value {} < 0", lang.num(v)),
            Lang::Nl => format!("waarde {} < 0", lang.num(v)),
            Lang::Fr => format!("valeur {} < 0", lang.num(v)),
        });
    }
    if let Some(u) = negative_units.filter(|u| *u > 0) {
        why.push(match lang {
            Lang::En => format!("{} with a negative contribution", lang.units(u)),
            Lang::Nl => format!("{} met een negatieve bijdrage", lang.units(u)),
            Lang::Fr => format!("{} avec une contribution négative", lang.units(u)),
        });
    }
    if let Some(t) = smallest_top.filter(|t| below_zero(*t)) {
        why.push(match lang {
            Lang::En => format!("a top contribution of {}", lang.num(t)),
            Lang::Nl => format!("een topbijdrage van {}", lang.num(t)),
            Lang::Fr => format!("une contribution maximale de {}", lang.num(t)),
        });
    }
    let why = why.join(", ");
    match lang {
        Lang::En => format!(
            "{why}: dominance and p % rules assume non-negative contributions; check by hand"
        ),
        Lang::Nl => format!(
            "{why}: dominantie- en p %-regels veronderstellen niet-negatieve bijdragen; controleer met de hand"
        ),
        Lang::Fr => format!(
            "{why} : les règles de dominance et du p % supposent des contributions non négatives ; vérifiez à la main"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{Dominance, Policy};
    use crate::rules::RuleCode;
    use crate::rules::{check_table, testing::details, testing::table};

    #[test]
    fn negative_cells_are_decided_one_by_one() {
        let t = table(&[
            ("a", 20, -120.5, &[10.0, 5.0]),
            ("b", 20, 100.0, &[95.0, 1.0]),
            ("c", 20, 50.0, &[60.0, -10.0]),
        ]);
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.class_disclosure = None;
        p.dominance = vec![Dominance {
            n: 1,
            k: 50.0,
            inclusive: false,
        }];
        let r = check_table(&t, &p).unwrap();
        let got = details(&r, RuleCode::Negative);
        assert_eq!(
            got,
            [
                "0: value -120.5 < 0: dominance and p % rules assume non-negative contributions; check by hand",
                "2: a top contribution of -10: dominance and p % rules assume non-negative contributions; check by hand",
            ]
        );
        // Dominance still judges cell b, and only cell b.
        let dom: Vec<u32> = r.cells_with(RuleCode::Dominance).map(|(c, _)| c).collect();
        assert_eq!(dom, [1]);
        // −∞ and NaN are missing numbers, not negative ones: the `missing` rule reports them, this rule does not.
        let t = table(&[
            ("a", 20, f64::NEG_INFINITY, &[10.0, 5.0]),
            ("b", 20, 100.0, &[f64::NEG_INFINITY, 1.0]),
            ("c", 20, f64::NAN, &[60.0, -10.0]),
        ]);
        let r = check_table(&t, &p).unwrap();
        let neg = details(&r, RuleCode::Negative);
        assert_eq!(
            neg,
            [
                "2: a top contribution of -10: dominance and p % rules assume non-negative contributions; check by hand"
            ]
        );
        let missing: Vec<u32> = r.cells_with(RuleCode::Missing).map(|(c, _)| c).collect();
        assert_eq!(missing, [0, 1, 2]);
    }
}

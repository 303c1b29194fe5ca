//! Rule `missing`: shadow values the rules need but the table does not give, and missing microdata values.
//!
//! # What it checks
//! A cell whose `n` is missing (empty, `NA`, `NaN`), whose `value` is missing in a table that has a value column,
//! whose needed top contribution is missing while the cell has more units than that rank, or whose `n_missing`
//! column counts microdata rows without a value, gets a finding with the policy's `missing` action. A rule that
//! needs the missing number skips the cell; no cell is ever silently passed.
//!
//! # Why
//! A verdict computed from absent numbers is no verdict. And a mean over the rows that *have* a value is a
//! different statistic from the one the researcher may think they publish.
//!
//! # Parameters
//! `missing` (a shadow value the rules need): `review` (every preset) or `unsafe`; never `safe`, which the policy
//! refuses. `missing_rows` (microdata rows without a value): `safe` (every preset: the finding explains the cell,
//! as ACRO's `check_missing_values` False passes it), `review` or `unsafe`.
//!
//! # Example
//! n empty → "`n` is missing: the rules that need it cannot decide".
//!
//! # References
//! ACRO 1.0 `sdcchecks.check_missing`; Bond, Brandt & de Wolf (2015) §3 (every output must be checkable).

use super::{Columns, Detail, Finding, Lang, RuleCode, ShadowName, Status, magnitude, push};

/// The rule's test of one stored number, written once (the first look calls it too): NaN and the infinities
/// stand for no number.
#[inline]
pub(super) fn not_a_number(x: f64) -> bool {
    !x.is_finite()
}

pub(super) fn cell(
    c: &Columns,
    i: usize,
    top_needed: usize,
    action: Status,
    rows_action: Status,
    out: &mut Vec<Finding>,
) {
    let n = c.n(i);
    if n.is_none() {
        push(
            out,
            RuleCode::Missing,
            action,
            Detail::MissingShadow {
                column: ShadowName::N,
            },
        );
    }
    if let Some(v) = c.value {
        if v.get(i).is_none_or(not_a_number) {
            push(
                out,
                RuleCode::Missing,
                action,
                Detail::MissingShadow {
                    column: ShadowName::Value,
                },
            );
            return;
        }
        for (k, col) in c.top.iter().enumerate().take(top_needed) {
            let absent = col.get(i).is_none_or(not_a_number);
            if absent && n.is_some_and(|n| n > k as u64) {
                push(
                    out,
                    RuleCode::Missing,
                    action,
                    Detail::MissingShadow {
                        column: ShadowName::Top(k as u32 + 1),
                    },
                );
                break;
            }
        }
    }
    if c.weighted && top_needed > 0 {
        weighted(c, i, n, top_needed, action, out);
    }
    if let Some(rows) = c.n_missing.and_then(|v| v.get(i)).filter(|r| *r > 0) {
        push(
            out,
            RuleCode::Missing,
            rows_action,
            Detail::MissingRows { rows },
        );
    }
}

/// A weighted cell the magnitude rules would judge: its top contributions need their units' weights
/// (`top1_weight` …), and enough of them to reach the copies the rules take (units may weigh less than one).
fn weighted(
    c: &Columns,
    i: usize,
    n: Option<u64>,
    top_needed: usize,
    action: Status,
    out: &mut Vec<Finding>,
) {
    let judged =
        c.value.and_then(|v| v.get(i)).is_some_and(|v| v > 0.0) && n.is_some_and(|n| n > 0);
    if !judged {
        return;
    }
    let lacking = if c.top_weight.is_empty() {
        Some(ShadowName::TopWeight(1))
    } else if let Some(k) = (0..c.top.len()).find(|&k| {
        n.is_some_and(|n| n > k as u64)
            && !c
                .top_weight
                .get(k)
                .and_then(|col| col.get(i))
                .is_some_and(|w| w.is_finite() && w > 0.0)
    }) {
        Some(ShadowName::TopWeight(k as u32 + 1))
    } else if magnitude::weighted_reach(c, i, top_needed as f64) == Some(false) {
        Some(ShadowName::Top(c.top.len() as u32 + 1))
    } else {
        None
    };
    if let Some(column) = lacking {
        push(
            out,
            RuleCode::Missing,
            action,
            Detail::MissingShadow { column },
        );
    }
}

/// A shadow value the rules need is missing.
pub(super) fn words_shadow(lang: Lang, column: ShadowName) -> String {
    match lang {
        Lang::En => format!("`{column}` is missing: the rules that need it cannot decide"),
        Lang::Nl => format!(
            "`{column}` ontbreekt: de regels die deze kolom nodig hebben, kunnen niet beslissen"
        ),
        Lang::Fr => {
            format!("`{column}` manque : les règles qui en ont besoin ne peuvent pas décider")
        }
    }
}

/// Microdata rows without a value, which the statistic leaves out.
pub(super) fn words_rows(lang: Lang, rows: u64) -> String {
    match (lang, rows) {
        (Lang::En, 1) => "1 row had no value; the published statistic leaves it out".into(),
        (Lang::En, r) => {
            format!("{r} rows had no value; the published statistic leaves them out")
        }
        (Lang::Nl, 1) => "1 rij had geen waarde; de gepubliceerde statistiek laat ze weg".into(),
        (Lang::Nl, r) => {
            format!("{r} rijen hadden geen waarde; de gepubliceerde statistiek laat ze weg")
        }
        (Lang::Fr, 1) => "1 ligne sans valeur ; la statistique publiée l'omet".into(),
        (Lang::Fr, r) => format!("{r} lignes sans valeur ; la statistique publiée les omet"),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::RuleCode;
    use crate::rules::{check_table, testing::details};
    use crate::table::{Dimension, TableBuilder};

    #[test]
    fn missing_values() {
        let dim = Dimension::flat("d", ["a", "b", "c", "d"].map(String::from), None);
        let t = TableBuilder::new()
            .cell(2, &[0], None, Some(5.0), &[4.0, 1.0])
            .cell(3, &[1], Some(12), Some(f64::NAN), &[])
            .cell(4, &[2], Some(12), Some(100.0), &[30.0])
            .cell(5, &[3], Some(1), Some(7.0), &[7.0])
            .with(|s| s.n_missing = Some(vec![None, None, None, Some(2)].into()))
            .build("t", vec![dim])
            .unwrap();
        let mut p = Policy::preset("essnet").unwrap();
        p.class_disclosure = None;
        p.threshold = None;
        p.dominance = vec![crate::policy::Dominance {
            n: 2,
            k: 85.0,
            inclusive: false,
        }];
        let r = check_table(&t, &p).unwrap();
        let got = details(&r, RuleCode::Missing);
        assert_eq!(
            got,
            [
                "0: `n` is missing: the rules that need it cannot decide",
                "1: `value` is missing: the rules that need it cannot decide",
                "2: `top2` is missing: the rules that need it cannot decide",
                "3: 2 rows had no value; the published statistic leaves them out",
            ]
        );
        // Cell 3 has one unit: its missing top2 is a true zero, and dominance judges it.
        assert_eq!(
            r.cells_with(RuleCode::Dominance)
                .map(|(c, _)| c)
                .collect::<Vec<_>>(),
            [3]
        );
    }
}

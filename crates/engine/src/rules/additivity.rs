//! Rule `additivity`: totals and sub-totals must agree with their parts.
//!
//! # What it checks
//! For every dimension and every cell that is a parent (a total or sub-total) in it, the parent's `value` must
//! equal the sum of its children's values (children absent from the table count as 0), and its `n` must lie
//! between the largest child's `n` and the sum of the children's `n` (a unit may sit in several children when the
//! table counts person-years, so `n` need not add up exactly, but it can never exceed the sum). A violation is a
//! finding on the parent cell with the policy's `additivity` action.
//!
//! # Why
//! A table whose margins do not add up was built from different data than its cells, or edited by hand; either way
//! the checks on it do not describe what will be published. Secondary suppression also relies on these relations.
//!
//! # Parameters
//! `additivity`: `review` (all presets), `unsafe` or `safe`.
//!
//! # Example
//! Total 1200, children 500 + 680 → "value 1200 ≠ 1180 = sum of its 2 parts along `sex`".
//!
//! # References
//! τ-ARGUS 4.2 manual §4.4 (additivity of tables read from file; "the table is not additive"); Hundepool et al.
//! (2012) §4.3 (linear relations of a table).

use super::{Detail, Finding, RuleCode, Status};
use crate::table::Table;

/// The findings of the rule, `(cell, finding)`, dimension by dimension, each dimension's in cell order.
pub(super) fn run(table: &Table, action: Status) -> Vec<(u32, Finding)> {
    let mut out = Vec::new();
    let nd = table.dims().len();
    let keys = table.keys();
    // Reused for every parent: the found parts' values and units.
    let mut vals: Vec<f64> = Vec::new();
    let mut ns: Vec<u64> = Vec::new();
    for (d, dim) in table.dims().iter().enumerate() {
        if (0..dim.len() as u32).all(|code| dim.children(code).is_empty()) {
            continue;
        }
        let stride = table.stride(d);
        for (parent, &key) in keys.iter().enumerate() {
            let code = table.coords().get(parent * nd + d).copied().unwrap_or(0);
            let children = dim.children(code);
            if children.is_empty() {
                continue;
            }
            let parent = parent as u32;
            let base = key - u64::from(code) * stride;
            let kids = || {
                children
                    .iter()
                    .filter_map(move |&ch| table.find(base + u64::from(ch) * stride))
            };
            let parts = children.len() as u32;
            let finding = |values| Finding {
                rule: RuleCode::Additivity,
                status: action,
                values,
            };
            if let Some(pv) = table.value(parent) {
                vals.clear();
                let all = kids().all(|k| table.value(k).map(|v| vals.push(v)).is_some());
                if all && vals.iter().all(|x| x.is_finite()) {
                    let sum: f64 = vals.iter().sum();
                    let scale = pv.abs().max(vals.iter().map(|x| x.abs()).sum());
                    if pv.is_finite() && (pv - sum).abs() > 1e-9 * scale + 1e-9 {
                        out.push((
                            parent,
                            finding(Detail::AdditivityValue {
                                dimension: dim.name().to_owned(),
                                value: pv,
                                sum,
                                parts,
                            }),
                        ));
                    }
                }
            }
            if let Some(pn) = table.n(parent) {
                ns.clear();
                if kids().all(|k| table.n(k).map(|n| ns.push(n)).is_some()) {
                    let sum = ns.iter().fold(0u64, |a, &n| a.saturating_add(n));
                    let max = ns.iter().copied().max().unwrap_or(0);
                    if pn > sum || pn < max {
                        out.push((
                            parent,
                            finding(Detail::AdditivityUnits {
                                dimension: dim.name().to_owned(),
                                n: pn,
                                sum,
                                max,
                                parts,
                            }),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::check_table;
    use crate::table::{Dimension, TableBuilder};

    fn check(cells: &[(&str, u64, f64)], expected: &[&str]) {
        let dim = Dimension::flat("sex", cells.iter().map(|c| c.0.to_string()), Some("Total"));
        let mut b = TableBuilder::new();
        for (i, (code, n, v)) in cells.iter().enumerate() {
            b = b.cell(
                i as u64 + 2,
                &[dim.id(code).unwrap()],
                Some(*n),
                Some(*v),
                &[*v / 4.0, *v / 5.0],
            );
        }
        let t = b.build("t", vec![dim]).unwrap();
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.dominance.clear();
        p.class_disclosure = None;
        let r = check_table(&t, &p).unwrap();
        let got: Vec<String> = r
            .cells_with("additivity")
            .map(|(_, f)| f.detail())
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn totals_must_add_up() {
        check(
            &[("M", 20, 500.0), ("F", 30, 700.0), ("Total", 50, 1200.0)],
            &[],
        );
        check(
            &[("M", 20, 500.0), ("F", 30, 680.0), ("Total", 50, 1200.0)],
            &["value 1200 ≠ 1180 = sum of its 2 parts along `sex`"],
        );
        check(
            &[("M", 20, 500.0), ("F", 30, 700.0), ("Total", 55, 1200.0)],
            &["55 units > 50 = sum of the units of its 2 parts along `sex`"],
        );
        check(
            &[("M", 20, 500.0), ("F", 30, 700.0), ("Total", 25, 1200.0)],
            &["25 units < 30 units of one of its 2 parts along `sex`"],
        );
        // Decimal amounts add up within rounding.
        check(&[("M", 20, 0.1), ("F", 30, 0.2), ("Total", 50, 0.3)], &[]);
    }
}

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

use super::grid::{Block, Grid};
use super::relations::{self, Acc, GAP_UNITS};
use super::{Detail, Dim, Finding, Lang, RuleCode, Status};
use crate::table::Table;

/// The findings of the rule, `(cell, finding)`, in cell order; a cell's in dimension order. Each dimension on
/// its own (natively on the threads of the pool), over the groups `relations::group_sums` walks.
pub(super) fn run(table: &Table, action: Status) -> Vec<(u32, Finding)> {
    let dims: Vec<usize> = (0..table.dims().len()).collect();
    let per_dim = super::pass::run_all(dims, |d| along(table, d, action));
    let mut out: Vec<(u32, Finding)> = per_dim.into_iter().flatten().collect();
    // Stable: a cell's findings stay in dimension order.
    out.sort_by_key(|(cell, _)| *cell);
    out
}

/// The findings along dimension `d`, in cell order: each head against what its parts add up to.
fn along(table: &Table, d: usize, action: Status) -> Vec<(u32, Finding)> {
    let mut out = Vec::new();
    let (Some(dim), Some(g)) = (table.dims().get(d), relations::group_sums(table, d)) else {
        return out;
    };
    for &(head, slot) in &g.heads {
        let (Some(&code), Some(a)) = (table.cell_coords(head).get(d), g.sums.get(slot)) else {
            continue; // a head's code and group exist by construction
        };
        judge(
            table,
            head,
            Dim(d as u32),
            dim.children(code).len() as u32,
            &Part::of(a),
            action,
            &mut out,
        );
    }
    out
}

/// The findings on the heads of one block of a full table (see [`Grid`]), in cell order.
pub(super) fn judge_block(g: &Grid, block: &Block, action: Status, out: &mut Vec<(u32, Finding)>) {
    for h in &g.heads {
        let parts = g.dim.children(h.code).len() as u32;
        for (cell, a) in block.cells(h.code).zip(block.row(h.rank)) {
            judge(
                g.table,
                cell as u32,
                Dim(g.d as u32),
                parts,
                &Part::of(a),
                action,
                out,
            );
        }
    }
}

/// Whether a total `head` agrees with the `sum` of its parts (whose absolute values add up to `abs`) within the
/// rounding of adding them in floating point. Secondary suppression asks it of every relation it relies on.
pub(crate) fn adds_up(head: f64, sum: f64, abs: f64) -> bool {
    let scale = head.abs().max(abs);
    (head - sum).abs() <= 1e-9 * scale + 1e-9
}

/// Compares a parent with what its parts add up to.
fn judge(
    table: &Table,
    parent: u32,
    dimension: Dim,
    parts: u32,
    part: &Part,
    action: Status,
    out: &mut Vec<(u32, Finding)>,
) {
    let finding = |values| Finding {
        rule: RuleCode::Additivity,
        status: action,
        values,
    };
    if let (Some(pv), Some((sum, abs))) = (table.value(parent), part.value) {
        if pv.is_finite() && !adds_up(pv, sum, abs) {
            out.push((
                parent,
                finding(Detail::AdditivityValue {
                    dimension,
                    value: pv,
                    sum,
                    parts,
                }),
            ));
        }
    }
    if let (Some(pn), Some((sum, max))) = (table.n(parent), part.units) {
        if pn > sum || pn < max {
            out.push((
                parent,
                finding(Detail::AdditivityUnits {
                    dimension,
                    n: pn,
                    sum,
                    max,
                    parts,
                }),
            ));
        }
    }
}

/// What a parent's parts along one dimension add up to: `(sum, sum of absolute values)` of their values when
/// every part present has a finite value, `(sum, largest)` of their units when every part has a unit count.
struct Part {
    value: Option<(f64, f64)>,
    units: Option<(u64, u64)>,
}

impl Part {
    /// The sums of a group, known where none of its parts had a gap.
    fn of(a: &Acc) -> Part {
        Part {
            value: a.value_known().then_some((a.value, a.abs)),
            units: (a.gaps & GAP_UNITS == 0).then_some((a.units, a.max)),
        }
    }
}

/// A total whose value is not the sum of its parts, in words.
pub(super) fn words_value(lang: Lang, dimension: &str, value: f64, sum: f64, parts: u32) -> String {
    let (value, sum) = (lang.num(value), lang.num(sum));
    match lang {
        Lang::En => {
            format!("value {value} ≠ {sum} = sum of its {parts} parts along `{dimension}`")
        }
        Lang::Nl => {
            format!("waarde {value} ≠ {sum} = som van haar {parts} delen langs `{dimension}`")
        }
        Lang::Fr => format!(
            "valeur {value} ≠ {sum} = somme de ses {parts} parties le long de `{dimension}`"
        ),
    }
}

/// A total whose units do not fit its parts', in words: more than all of them, or fewer than one of them.
pub(super) fn words_units(
    lang: Lang,
    dimension: &str,
    n: u64,
    sum: u64,
    max: u64,
    parts: u32,
) -> String {
    let units = lang.units(n);
    match (lang, n > sum) {
        (Lang::En, true) => {
            format!("{units} > {sum} = sum of the units of its {parts} parts along `{dimension}`")
        }
        (Lang::En, false) => {
            format!("{units} < {max} units of one of its {parts} parts along `{dimension}`")
        }
        (Lang::Nl, true) => format!(
            "{units} > {sum} = som van de eenheden van haar {parts} delen langs `{dimension}`"
        ),
        (Lang::Nl, false) => {
            format!("{units} < {max} eenheden van een van haar {parts} delen langs `{dimension}`")
        }
        (Lang::Fr, true) => format!(
            "{units} > {sum} = somme des unités de ses {parts} parties le long de `{dimension}`"
        ),
        (Lang::Fr, false) => {
            format!("{units} < {max} unités d'une de ses {parts} parties le long de `{dimension}`")
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::Policy;
    use crate::rules::RuleCode;
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
            .cells_with(RuleCode::Additivity)
            .map(|(_, f)| f.detail(&r.dimensions))
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

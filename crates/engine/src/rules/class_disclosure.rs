//! Rule `class-disclosure`: a cell must not hold (nearly) all units of its row or column.
//!
//! # What it checks
//! For every dimension, the cells that share all other codes and whose codes in that dimension have the same
//! parent form a group (a row or column of a two-way table; the children of one sub-total in a hierarchy). The
//! group's units are the parent cell's `n` when the table has it, else the sum of the group's `n`. A cell holding
//! ≥ `max_share` % of its group's units is unsafe; with `single_category`, a group where exactly one of several
//! categories is non-zero marks that cell unsafe with its own explanation.
//!
//! # Why
//! If 95 % of a region's benefit claimants are of one origin, publishing the row tells almost everyone's origin
//! to anyone who knows a claimant: group (attribute) disclosure, which a threshold rule never sees because the
//! cell itself is large.
//!
//! # Parameters
//! `class_disclosure.max_share` (percent; essnet 90), `class_disclosure.single_category` (default true).
//!
//! # Example
//! Row `region=BXL`: 38 of its 40 units in `origin=non-EU` → 95.0 % ≥ 90.0 % → unsafe.
//!
//! # References
//! Bond, Brandt & de Wolf (2015), Guidelines for Output Checking, §4.2 (class disclosure: "no cell should contain
//! more than 90 % of the total number of units in its row or column"); Hundepool et al. (2012) §4.2.1 (group
//! disclosure in frequency tables).

use super::{Detail, RuleCode, Sink, Status};
use crate::policy::ClassDisclosure;
use crate::table::Table;

pub(super) fn run(table: &Table, c: &ClassDisclosure, sink: &mut Sink) {
    let nd = table.dims().len();
    for (d, dim) in table.dims().iter().enumerate() {
        let stride = table.stride(d);
        // Group every cell under its parent in dimension d: the parent cell's key identifies the group.
        let mut groups: Vec<(u64, u32)> = Vec::new();
        for cell in 0..table.len() as u32 {
            let code = table
                .coords()
                .get(cell as usize * nd + d)
                .copied()
                .unwrap_or(0);
            if let Some(parent) = dim.parent(code) {
                let key = table.key(table.cell_coords(cell)) - u64::from(code) * stride
                    + u64::from(parent) * stride;
                groups.push((key, cell));
            }
        }
        groups.sort_unstable();
        for run in groups.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(parent_key, first)) = run.first() else {
                continue;
            };
            let ns: Option<Vec<u64>> = run.iter().map(|&(_, cell)| table.n(cell)).collect();
            let Some(ns) = ns else { continue }; // a missing n: the `missing` rule reports it
            let group_n = match table.find(parent_key) {
                Some(parent) => match table.n(parent) {
                    Some(n) => n,
                    None => continue,
                },
                None => ns.iter().sum(),
            };
            if group_n == 0 {
                continue;
            }
            let code = table
                .coords()
                .get(first as usize * nd + d)
                .copied()
                .unwrap_or(0);
            let categories = dim.parent(code).map_or(0, |p| dim.children(p).len()) as u32;
            if categories <= 1 {
                // A parent with one category discloses nothing its own row does not.
                continue;
            }
            let nonzero = ns.iter().filter(|&&n| n > 0).count();
            for (&(_, cell), &n) in run.iter().zip(&ns) {
                if n == 0 {
                    continue;
                }
                if c.single_category && nonzero == 1 {
                    let values = Detail::SingleCategory {
                        dimension: dim.name().to_owned(),
                        group_n,
                        categories,
                    };
                    sink.push(cell, RuleCode::ClassDisclosure, Status::Unsafe, values);
                    continue;
                }
                let share = n as f64 / group_n as f64 * 100.0;
                if (n as f64) * 100.0 >= c.max_share * group_n as f64 {
                    let values = Detail::ClassShare {
                        dimension: dim.name().to_owned(),
                        n,
                        group_n,
                        share,
                        max_share: c.max_share,
                    };
                    sink.push(cell, RuleCode::ClassDisclosure, Status::Unsafe, values);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{ClassDisclosure, Policy};
    use crate::rules::check_table;
    use crate::table::{Dimension, TableBuilder};

    /// A region × origin count table; `cells` are (region, origin, n). Returns "coords: detail" per finding.
    fn check(single: bool, cells: &[(&str, &str, u64)], expected: &[&str]) {
        let reg = Dimension::flat(
            "region",
            cells.iter().map(|c| c.0.to_string()),
            Some("Total"),
        );
        let ori = Dimension::flat(
            "origin",
            cells.iter().map(|c| c.1.to_string()),
            Some("Total"),
        );
        let mut b = TableBuilder::new();
        for (i, (r, o, n)) in cells.iter().enumerate() {
            b = b.cell(
                i as u64 + 2,
                &[reg.id(r).unwrap(), ori.id(o).unwrap()],
                Some(*n),
                None,
                &[],
            );
        }
        let t = b.build("t", vec![reg, ori]).unwrap();
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        p.class_disclosure = Some(ClassDisclosure {
            max_share: 90.0,
            single_category: single,
        });
        let r = check_table(&t, &p).unwrap();
        let got: Vec<String> = r
            .cells_with("class-disclosure")
            .map(|(cell, f)| format!("{}: {}", t.describe(cell), f.detail()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn shares_against_the_parent_cell() {
        check(
            true,
            &[
                ("BXL", "BE", 2),
                ("BXL", "EU", 0),
                ("BXL", "nonEU", 38),
                ("BXL", "Total", 40),
            ],
            &["region=BXL, origin=nonEU: 38 of the 40 units along `origin` = 95.0 % ≥ 90.0 %"],
        );
        // Without margin cells the group's units are the sum of its cells.
        check(
            true,
            &[("BXL", "BE", 1), ("BXL", "nonEU", 9)],
            &["region=BXL, origin=nonEU: 9 of the 10 units along `origin` = 90.0 % ≥ 90.0 %"],
        );
        check(true, &[("BXL", "BE", 2), ("BXL", "nonEU", 8)], &[]);
    }

    #[test]
    fn single_non_zero_category() {
        check(
            true,
            &[("VL", "BE", 0), ("VL", "nonEU", 25)],
            &[
                "region=VL, origin=nonEU: only non-zero category of 2 along `origin`: all 25 units fall here",
            ],
        );
        check(
            false,
            &[("VL", "BE", 0), ("VL", "nonEU", 25)],
            &["region=VL, origin=nonEU: 25 of the 25 units along `origin` = 100.0 % ≥ 90.0 %"],
        );
    }
}

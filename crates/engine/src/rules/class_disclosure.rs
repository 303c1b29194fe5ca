//! Rule `class-disclosure`: a cell must not hold (nearly) all units of its row or column.
//!
//! # What it checks
//! For every dimension, the cells that share all other codes and whose codes in that dimension have the same
//! parent form a group (a row or column of a two-way table; the children of one sub-total in a hierarchy). The
//! group's units are the parent cell's `n` when the table has it, else the sum of the group's `n`. A cell holding
//! more than `max_share` % of its group's units is unsafe (at least `max_share` % with `inclusive = true`);
//! exactly 90 % of a group is not disclosive under the guidelines' "more than 90 %"; with `single_category`, a group where exactly one of several
//! categories is non-zero marks that cell unsafe with its own explanation.
//!
//! # Why
//! If 95 % of a region's benefit claimants are of one origin, publishing the row tells almost everyone's origin
//! to anyone who knows a claimant: group (attribute) disclosure, which a threshold rule never sees because the
//! cell itself is large.
//!
//! # Parameters
//! `class_disclosure.max_share` (percent; essnet 90), `class_disclosure.inclusive` (default false: "more than"),
//! `class_disclosure.single_category` (default true).
//!
//! # Example
//! Row `region=BXL`: 38 of its 40 units in `origin=nonEU` → 95.0 % > 90.0 % → unsafe; 36 of 40 (exactly
//! 90.0 %) → safe, unless `inclusive = true` (both tests below).
//!
//! # References
//! Bond, Brandt & de Wolf (2015), Guidelines for Output Checking, §4.2 (class disclosure: "no cell should contain
//! more than 90 % of the total number of units in its row or column"); Hundepool et al. (2012) §4.2.1 (group
//! disclosure in frequency tables).

use super::grid::{Block, Grid};
use super::relations::{self, GAP_UNITS};
use super::words::above;
use super::{Detail, Dim, Finding, Lang, RuleCode, Status};
use crate::exact::{self, Numbers};
use crate::policy::Bad;
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Class disclosure: a cell must not hold more than `max_share` % of its row's or column's units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassDisclosure {
    pub max_share: f64,
    /// `true`: unsafe at exactly `max_share` % too; `false` (the guidelines' "more than 90 %"): only above it.
    #[serde(default)]
    pub inclusive: bool,
    /// Also flag groups (rows/columns) where only one category is non-zero.
    #[serde(default = "crate::policy::yes")]
    pub single_category: bool,
}

impl ClassDisclosure {
    pub(crate) fn check(&self) -> Result<(), Bad> {
        if !(self.max_share > 0.0 && self.max_share <= 100.0) {
            return Err(Bad {
                field: "max_share",
                value: self.max_share.to_string(),
                want: "must be a percentage in (0, 100]",
            });
        }
        Ok(())
    }
}

/// The findings of the rule, `(cell, finding)`, in cell order; a cell's in dimension order. Each dimension on
/// its own (natively on the threads of the pool), over the groups `relations::group_sums` walks.
pub(super) fn run(table: &Table, c: &ClassDisclosure, undecided: Status) -> Vec<(u32, Finding)> {
    let dims: Vec<usize> = (0..table.dims().len()).collect();
    let mut out: Vec<(u32, usize, Finding)> =
        super::pass::run_all(dims, |d| along(table, d, c, undecided))
            .into_iter()
            .flatten()
            .collect();
    if !out.is_sorted_by_key(|(cell, d, _)| (*cell, *d)) {
        out.sort_by_key(|(cell, d, _)| (*cell, *d));
    }
    out.into_iter().map(|(cell, _, f)| (cell, f)).collect()
}

/// The findings along dimension `d`. A group's units are its head cell's `n` when the table has the head, else
/// the sum of its parts'. A group with a part or a head whose `n` is missing cannot be weighed: each of its
/// other non-empty parts gets a finding that says so, with the `undecided` status (the policy's `missing`
/// action, never safe), and the missing cell its own `missing` finding.
fn along(
    table: &Table,
    d: usize,
    c: &ClassDisclosure,
    undecided: Status,
) -> Vec<(u32, usize, Finding)> {
    let mut out = Vec::new();
    let (Some(dim), Some(g)) = (table.dims().get(d), relations::group_sums(table, d)) else {
        return out;
    };
    // `None`: the group cannot be weighed.
    let group_n: Vec<Option<u64>> = g
        .sums
        .iter()
        .zip(&g.head)
        .map(|(a, head)| match head {
            _ if a.gaps & GAP_UNITS != 0 => None,
            Some(h) => table.n(*h),
            None => Some(a.units),
        })
        .collect();
    // A group's parts can fire only when its largest part can (the test `judge` makes), or when it cannot be
    // weighed: when no group can, the parts need no look.
    let can = g
        .sums
        .iter()
        .zip(&group_n)
        .any(|(a, n)| n.is_none_or(|n| may_fire(c, a.max, a.nonzero, n)));
    if !can {
        return out;
    }
    for &(cell, slot) in &g.parts {
        let Some(n) = table.n(cell).filter(|&n| n > 0) else {
            continue; // an empty part discloses nothing; a missing `n` is the `missing` rule's
        };
        let (Some(a), Some(&group_n)) = (g.sums.get(slot), group_n.get(slot)) else {
            out.push((cell, d, unweighed(d, undecided)));
            continue;
        };
        let Some(parent) = table
            .cell_coords(cell)
            .get(d)
            .and_then(|&code| dim.parent(code))
        else {
            out.push((cell, d, unweighed(d, undecided)));
            continue;
        };
        let categories = dim.children(parent).len() as u32;
        let Some(group_n) = group_n else {
            if categories > 1 {
                out.push((cell, d, unweighed(d, undecided)));
            }
            continue;
        };
        let group = Group {
            n: group_n,
            nonzero: a.nonzero,
            categories,
        };
        if let Some(f) = judge(d, c, &group, n) {
            out.push((cell, d, f));
        }
    }
    out
}

/// The finding on a part of a group that cannot be weighed (a part's or the head's `n` is missing).
fn unweighed(d: usize, undecided: Status) -> Finding {
    Finding {
        rule: RuleCode::ClassDisclosure,
        status: undecided,
        values: Detail::GroupUnweighed {
            dimension: Dim(d as u32),
        },
    }
}

/// A group of cells under one parent along a dimension.
struct Group {
    /// Units of the group: the parent cell's `n` when the table has the parent, else the sum of the parts.
    n: u64,
    /// Parts with at least one unit.
    nonzero: u32,
    /// Codes under the parent in the codelist.
    categories: u32,
}

/// The rule's share test, written once: a part of `n` units holds more than `max_share` % of its group's
/// `group_n` units (`100 × n > max_share × group_n`, exactly), or at least that share when `inclusive`.
#[inline]
fn holds_too_much(c: &ClassDisclosure, n: u64, group_n: u64) -> bool {
    let terms = [(100.0, n as f64, 1.0), (-c.max_share, group_n as f64, 1.0)];
    match exact::sign(&terms, Numbers::Decimal) {
        Some(Ordering::Greater) | None => true,
        Some(Ordering::Equal) => c.inclusive,
        Some(Ordering::Less) => false,
    }
}

/// The single-category test: a group of several categories with exactly one non-empty part.
#[inline]
fn single_category(c: &ClassDisclosure, nonzero: u32) -> bool {
    c.single_category && nonzero == 1
}

/// Judges one part of a group.
fn judge(d: usize, c: &ClassDisclosure, g: &Group, n: u64) -> Option<Finding> {
    if n == 0 || g.n == 0 || g.categories <= 1 {
        // A parent with one category discloses nothing its own row does not.
        return None;
    }
    let values = if single_category(c, g.nonzero) {
        Detail::SingleCategory {
            dimension: Dim(d as u32),
            n,
            group_n: g.n,
            categories: g.categories,
        }
    } else if holds_too_much(c, n, g.n) {
        Detail::ClassShare {
            dimension: Dim(d as u32),
            n,
            group_n: g.n,
            max_share: c.max_share,
            inclusive: c.inclusive,
        }
    } else {
        return None;
    };
    Some(Finding {
        rule: RuleCode::ClassDisclosure,
        status: Status::Unsafe,
        values,
    })
}

/// Whether any part of a group can fire: [`judge`]'s own tests on its largest part (`max` units; the share test
/// only grows with a part's units), given its non-empty parts and its units.
#[inline(always)]
fn may_fire(c: &ClassDisclosure, max: u64, nonzero: u32, group_n: u64) -> bool {
    max > 0 && group_n > 0 && (single_category(c, nonzero) || holds_too_much(c, max, group_n))
}

/// The findings on the parts of one block of a full table (see [`Grid`]), in cell order. Missing entries hold 0
/// in the `n` column, so a part or a head whose `n` is missing fails the first test (`n > 0`) like an empty one;
/// a group with a missing part is marked in its sums. `may` is scratch space.
pub(super) fn judge_block(
    g: &Grid,
    block: &Block,
    c: &ClassDisclosure,
    undecided: Status,
    may: &mut Vec<bool>,
    out: &mut Vec<(u32, Finding)>,
) {
    let n_column = &g.table.shadow().n;
    let n = n_column.values();
    // A group whose largest part cannot fire has no part that can, and most blocks have no group that can.
    may.clear();
    may.resize(block.len(), false);
    let mut any = false;
    for h in &g.heads {
        let (Some(heads), Some(flags)) = (
            n.get(block.cells(h.code)),
            may.get_mut(block.groups(h.rank)),
        ) else {
            continue;
        };
        for (((m, a), &h), head) in flags
            .iter_mut()
            .zip(block.row(h.rank))
            .zip(heads)
            .zip(block.cells(h.code))
        {
            // A group that cannot be weighed (a part's or the head's `n` missing) has its parts looked at.
            let unweighable = a.gaps & GAP_UNITS != 0 || n_column.is_missing(head);
            *m = unweighable || may_fire(c, a.max, a.nonzero, h);
            any |= *m;
        }
    }
    if !any {
        return;
    }
    for p in &g.parts {
        if p.categories <= 1 {
            continue; // see `judge`
        }
        let (cells, heads) = (block.cells(p.code), block.cells(p.parent));
        let (Some(parts), Some(flags)) = (n.get(cells.clone()), may.get(block.groups(p.rank)))
        else {
            continue;
        };
        for ((((cell, head), a), &x), _) in cells
            .zip(heads)
            .zip(block.row(p.rank))
            .zip(parts)
            .zip(flags)
            .filter(|(_, m)| **m)
        {
            let (cell, head) = (cell as u32, head as u32);
            // An empty part discloses nothing; a missing `n` (held as 0) is the `missing` rule's.
            let Some(x) = Some(x).filter(|&x| x > 0).and(g.table.n(cell)) else {
                continue;
            };
            let Some(h) = g.table.n(head).filter(|_| a.gaps & GAP_UNITS == 0) else {
                out.push((cell, unweighed(g.d, undecided)));
                continue;
            };
            let group = Group {
                n: h,
                nonzero: a.nonzero,
                categories: p.categories,
            };
            if let Some(f) = judge(g.d, c, &group, x) {
                out.push((cell, f));
            }
        }
    }
}

/// The share finding in words: "38 of the 40 units along `origin` = 95.0 % > 90.0 %".
pub(super) fn words_share(
    lang: Lang,
    dimension: &str,
    n: u64,
    group_n: u64,
    share: f64,
    max_share: f64,
    inclusive: bool,
) -> String {
    let (share, op, max) = (lang.pct(share), above(inclusive), lang.pct(max_share));
    match lang {
        Lang::En => format!("{n} of the {group_n} units along `{dimension}` = {share} {op} {max}"),
        Lang::Nl => {
            format!("{n} van de {group_n} eenheden langs `{dimension}` = {share} {op} {max}")
        }
        Lang::Fr => {
            format!("{n} des {group_n} unités le long de `{dimension}` = {share} {op} {max}")
        }
    }
}

/// A group that cannot be weighed, in words.
pub(super) fn words_unweighed(lang: Lang, dimension: &str) -> String {
    match lang {
        Lang::En => format!(
            "its group along `{dimension}` has a cell whose `n` is missing: its share cannot be decided"
        ),
        Lang::Nl => format!(
            "zijn groep langs `{dimension}` heeft een cel zonder `n`: zijn aandeel kan niet bepaald worden"
        ),
        Lang::Fr => format!(
            "son groupe le long de `{dimension}` a une cellule sans `n` : sa part ne peut être déterminée"
        ),
    }
}

/// The single-category finding in words; `n` is the part's own units when the report recorded them (a report
/// written before they were reads as the group's, which is what its sentence said).
pub(super) fn words_single(
    lang: Lang,
    dimension: &str,
    n: Option<u64>,
    group_n: u64,
    categories: u32,
) -> String {
    match (lang, n.filter(|n| *n != group_n)) {
        (Lang::En, None) => format!(
            "only non-zero category of {categories} along `{dimension}`: all {group_n} units fall here"
        ),
        (Lang::En, Some(n)) => format!(
            "only non-zero category of {categories} along `{dimension}`: all {n} units with a category fall here (the group counts {group_n})"
        ),
        (Lang::Nl, None) => format!(
            "enige niet-lege categorie van {categories} langs `{dimension}`: alle {group_n} eenheden vallen hier"
        ),
        (Lang::Nl, Some(n)) => format!(
            "enige niet-lege categorie van {categories} langs `{dimension}`: alle {n} eenheden met een categorie vallen hier (de groep telt er {group_n})"
        ),
        (Lang::Fr, None) => format!(
            "seule catégorie non vide sur {categories} le long de `{dimension}` : les {group_n} unités tombent ici"
        ),
        (Lang::Fr, Some(n)) => format!(
            "seule catégorie non vide sur {categories} le long de `{dimension}` : les {n} unités ayant une catégorie tombent ici (le groupe en compte {group_n})"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{ClassDisclosure, Policy};
    use crate::rules::RuleCode;
    use crate::rules::check_table;
    use crate::table::{Dimension, TableBuilder};

    /// A region × origin count table; `cells` are (region, origin, n). Returns "coords: detail" per finding.
    fn check(single: bool, cells: &[(&str, &str, u64)], expected: &[&str]) {
        check_with(single, false, cells, expected);
    }

    fn check_with(single: bool, inclusive: bool, cells: &[(&str, &str, u64)], expected: &[&str]) {
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
            inclusive,
            single_category: single,
        });
        let r = check_table(&t, &p).unwrap();
        let got: Vec<String> = r
            .cells_with(RuleCode::ClassDisclosure)
            .map(|(cell, f)| format!("{}: {}", t.describe(cell), f.detail(&r.dimensions)))
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
            &["region=BXL, origin=nonEU: 38 of the 40 units along `origin` = 95.0 % > 90.0 %"],
        );
        // Without margin cells the group's units are the sum of its cells.
        check(
            true,
            &[("BXL", "BE", 1), ("BXL", "nonEU", 19)],
            &["region=BXL, origin=nonEU: 19 of the 20 units along `origin` = 95.0 % > 90.0 %"],
        );
        check(true, &[("BXL", "BE", 2), ("BXL", "nonEU", 8)], &[]);
    }

    /// Exactly 90 % is not "more than 90 %". Source: Bond, Brandt & de Wolf (2015), Guidelines for Output
    /// Checking, §4.2: "no cell should contain more than 90 % of the total number of units in its row or
    /// column"; `inclusive = true` makes 90 % disclosive too.
    #[test]
    fn exactly_the_share_is_not_more_than_it() {
        // The rule's example: 36 of 40.
        let example = [("BXL", "BE", 4), ("BXL", "nonEU", 36), ("BXL", "Total", 40)];
        check(true, &example, &[]);
        check_with(
            true,
            true,
            &example,
            &["region=BXL, origin=nonEU: 36 of the 40 units along `origin` = 90.0 % ≥ 90.0 %"],
        );
        let cells = [("BXL", "BE", 1), ("BXL", "nonEU", 9)];
        check(true, &cells, &[]);
        check_with(
            true,
            true,
            &cells,
            &["region=BXL, origin=nonEU: 9 of the 10 units along `origin` = 90.0 % ≥ 90.0 %"],
        );
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
            &["region=VL, origin=nonEU: 25 of the 25 units along `origin` = 100.0 % > 90.0 %"],
        );
        // The only non-empty part holds less than the share of its parent's units (a person-year table may count
        // more units in a total than in its parts): still the only category.
        check(
            true,
            &[("VL", "BE", 0), ("VL", "nonEU", 25), ("VL", "Total", 40)],
            &[
                "region=VL, origin=nonEU: only non-zero category of 2 along `origin`: all 25 units with a category fall here (the group counts 40)",
            ],
        );
    }

    /// A group with a part whose `n` is missing cannot be weighed: its other non-empty parts are not passed as
    /// safe (38 of a row's 40 units would be 95 %), they get the `missing` action with the reason.
    #[test]
    fn a_group_with_a_missing_count_is_not_passed() {
        let reg = Dimension::flat("region", ["BXL".to_string()], Some("Total"));
        let ori = Dimension::flat(
            "origin",
            ["BE", "EU", "nonEU"].map(String::from),
            Some("Total"),
        );
        let cells: [(&str, &str, Option<u64>); 4] = [
            ("BXL", "BE", Some(2)),
            ("BXL", "EU", None),
            ("BXL", "nonEU", Some(38)),
            ("BXL", "Total", Some(40)),
        ];
        let mut b = TableBuilder::new();
        for (i, (r, o, n)) in cells.iter().enumerate() {
            b = b.cell(
                i as u64 + 2,
                &[reg.id(r).unwrap(), ori.id(o).unwrap()],
                *n,
                None,
                &[],
            );
        }
        let t = b.build("t", vec![reg, ori]).unwrap();
        let mut p = Policy::preset("essnet").unwrap();
        p.threshold = None;
        let r = check_table(&t, &p).unwrap();
        let got: Vec<String> = r
            .cells_with(RuleCode::ClassDisclosure)
            .map(|(cell, f)| {
                format!(
                    "{} {}: {}",
                    t.describe(cell),
                    f.status.as_str(),
                    f.detail(&r.dimensions)
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "region=BXL, origin=BE review: its group along `origin` has a cell whose `n` is missing: its share cannot be decided",
                "region=BXL, origin=nonEU review: its group along `origin` has a cell whose `n` is missing: its share cannot be decided",
            ]
        );
    }
}

//! The group rules (class disclosure, additivity) on a full table: one with a cell for every combination of
//! its codes, in key order, as `tabulate` writes a table with all its margins. There cell `i` has key `i`, so
//! along dimension `d` the cells of one group (the parts under one parent code, the other codes fixed) and the
//! group's head sit at fixed distances: whole rows of cells add into whole rows of sums, with no coordinates
//! read and no lookup. One pass per dimension sums what both rules need; each rule then judges the block it
//! has just seen.
//!
//! Cells are laid out as blocks (one combination of the codes of the dimensions before `d`) of rows (one code
//! of `d`) of `stride` cells (the combinations of the dimensions after `d`). A group is a parent code's rank
//! and an offset in the row: its sums sit at `rank * stride + offset`.

use super::relations::{Acc, GAP_UNITS, GAP_VALUE};
use super::{Finding, Status, additivity, class_disclosure};
use crate::policy::ClassDisclosure;
use crate::table::{Dimension, Table};

#[cfg(test)]
thread_local! {
    /// Tests turn the grid off to compare it with the group slots every other table in key order gets.
    pub(super) static NO_GRID: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A full table seen along one dimension.
pub(super) struct Grid<'a> {
    pub table: &'a Table,
    pub d: usize,
    pub dim: &'a Dimension,
    /// Cells from one code of the dimension to the next.
    pub stride: usize,
    /// Cells of one block: every code of the dimension, `stride` cells each.
    block: usize,
    /// The codes that have children, each with its rank among them, in codelist order.
    pub heads: Vec<Head>,
    /// The codes that have a parent, in codelist order.
    pub parts: Vec<PartCode>,
    /// Groups per block: parent codes × `stride`.
    groups: usize,
}

/// A code that heads groups: its rows hold the groups' head cells.
pub(super) struct Head {
    pub code: u32,
    pub rank: u32,
}

/// A code that is a part of groups.
pub(super) struct PartCode {
    pub code: u32,
    pub parent: u32,
    /// The parent's rank among the codes that have children.
    pub rank: u32,
    /// Codes under the parent.
    pub categories: u32,
}

impl<'a> Grid<'a> {
    /// `None` unless the table is a full grid and `d` has a code with children.
    pub fn new(table: &'a Table, d: usize) -> Option<Self> {
        if !table.is_full_grid() {
            return None;
        }
        let dim = table.dims().get(d)?;
        let mut rank = vec![u32::MAX; dim.len()];
        let mut heads = Vec::new();
        for (code, r) in (0..dim.len() as u32).zip(rank.iter_mut()) {
            if !dim.children(code).is_empty() {
                *r = heads.len() as u32;
                heads.push(Head { code, rank: *r });
            }
        }
        if heads.is_empty() {
            return None;
        }
        let parts = (0..dim.len() as u32)
            .filter_map(|code| {
                let parent = dim.parent(code)?;
                Some(PartCode {
                    code,
                    parent,
                    rank: *rank.get(parent as usize)?,
                    categories: dim.children(parent).len() as u32,
                })
            })
            .collect();
        let stride = usize::try_from(table.stride(d)).ok()?;
        Some(Grid {
            table,
            d,
            dim,
            stride,
            block: stride.checked_mul(dim.len())?,
            groups: stride.checked_mul(heads.len())?,
            heads,
            parts,
        })
    }

    /// Calls `f(first, sums)` for every block in cell order: `first` is the block's first cell, `sums` the sums
    /// of its groups (group `(rank, offset)` at `rank * stride + offset`).
    pub fn each_block(&self, mut f: impl FnMut(usize, &[Acc])) {
        let s = self.table.shadow();
        let n = &s.n;
        let value = s.value.as_ref();
        let (n_gaps, value_gaps) = (n.any_missing(), value.is_some_and(|v| v.any_missing()));
        let mut empty = Acc::EMPTY;
        if value.is_none() {
            empty.gaps = GAP_VALUE;
        }
        let mut sums = vec![empty; self.groups];
        let stride = self.stride;
        for first in (0..self.table.len()).step_by(self.block.max(1)) {
            let Some(ns) = n.values().get(first..first + self.block) else {
                return;
            };
            let vs = value.and_then(|v| v.values().get(first..first + self.block));
            sums.fill(empty);
            if stride == 1 {
                // One cell a row: a group's parts are mostly consecutive codes, added up in a register.
                let (mut at, mut acc) = (usize::MAX, empty);
                for p in &self.parts {
                    if p.rank as usize != at {
                        if let Some(done) = sums.get_mut(at) {
                            *done = acc;
                        }
                        at = p.rank as usize;
                        acc = sums.get(at).copied().unwrap_or(empty);
                    }
                    let i = p.code as usize;
                    if let Some(&x) = ns.get(i) {
                        acc.add_units(x);
                    }
                    if let Some(&v) = vs.and_then(|vs| vs.get(i)) {
                        acc.add_value(v);
                    }
                }
                if let Some(done) = sums.get_mut(at) {
                    *done = acc;
                }
            } else {
                for p in &self.parts {
                    let (at, row) = (p.rank as usize * stride, p.code as usize * stride);
                    let (Some(accs), Some(xs)) =
                        (sums.get_mut(at..at + stride), ns.get(row..row + stride))
                    else {
                        continue;
                    };
                    match vs.and_then(|vs| vs.get(row..row + stride)) {
                        Some(vs) => {
                            for ((a, &x), &v) in accs.iter_mut().zip(xs).zip(vs) {
                                a.add_units(x);
                                a.add_value(v);
                            }
                        }
                        None => {
                            for (a, &x) in accs.iter_mut().zip(xs) {
                                a.add_units(x);
                            }
                        }
                    }
                }
            }
            // Missing entries hold 0 in their columns: added as such above, marked here.
            if n_gaps || value_gaps {
                for p in &self.parts {
                    let at = p.rank as usize * stride;
                    let Some(accs) = sums.get_mut(at..at + stride) else {
                        continue;
                    };
                    for (j, a) in accs.iter_mut().enumerate() {
                        let cell = first + p.code as usize * stride + j;
                        if n.is_missing(cell) {
                            a.gaps |= GAP_UNITS;
                        }
                        if value.is_some_and(|v| v.is_missing(cell)) {
                            a.gaps |= GAP_VALUE;
                        }
                    }
                }
            }
            f(first, &sums);
        }
    }

    /// The sums of the groups of rank `r` in a block.
    #[inline]
    pub fn row<'s>(&self, sums: &'s [Acc], r: u32) -> &'s [Acc] {
        let at = r as usize * self.stride;
        sums.get(at..at + self.stride).unwrap_or(&[])
    }
}

/// Class disclosure (when the policy has it) and additivity along every dimension of a full table, one pass per
/// dimension (natively on the threads of the pool). Returns each rule's findings in cell order, a cell's in
/// dimension order; `None` when the table is not a full grid.
#[allow(clippy::type_complexity)]
pub(super) fn run(
    table: &Table,
    class: Option<&ClassDisclosure>,
    additivity: Status,
) -> Option<(Vec<(u32, Finding)>, Vec<(u32, Finding)>)> {
    #[cfg(test)]
    if NO_GRID.with(std::cell::Cell::get) || super::relations::NO_LAYOUT.with(std::cell::Cell::get)
    {
        return None;
    }
    if !table.is_full_grid() {
        return None;
    }
    let grids: Vec<Grid> = (0..table.dims().len())
        .filter_map(|d| Grid::new(table, d))
        .collect();
    let per_dim = super::run_all(grids, |g| {
        let (mut found_class, mut found_sums, mut may) = (Vec::new(), Vec::new(), Vec::new());
        g.each_block(|first, sums| {
            if let Some(c) = class {
                class_disclosure::judge_block(&g, first, sums, c, &mut may, &mut found_class);
            }
            additivity::judge_block(&g, first, sums, additivity, &mut found_sums);
        });
        (found_class, found_sums)
    });
    let (mut found_class, mut found_sums) = (Vec::new(), Vec::new());
    for (c, s) in per_dim {
        found_class.extend(c);
        found_sums.extend(s);
    }
    // Stable: a cell's findings stay in dimension order.
    for found in [&mut found_class, &mut found_sums] {
        if !found.is_sorted_by_key(|(cell, _)| *cell) {
            found.sort_by_key(|(cell, _)| *cell);
        }
    }
    Some((found_class, found_sums))
}

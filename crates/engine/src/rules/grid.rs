//! The group rules (class disclosure, additivity) on a full table: one with a cell for every combination of
//! its codes, in key order, as a tabulated crosstab with all its margins usually is. There cell `i` has key `i`, so
//! along dimension `d` the cells of one group (the parts under one parent code, the other codes fixed) and the
//! group's head sit at fixed distances: whole rows of cells add into whole rows of sums, with no coordinates
//! read and no lookup. One pass per dimension sums what both rules need; each rule then judges the block it
//! has just seen.
//!
//! Cells are laid out as blocks (one combination of the codes of the dimensions before `d`) of rows (one code
//! of `d`) of `stride` cells (the combinations of the dimensions after `d`). A group is a block, a parent
//! code's rank and an offset in the row. Groups never mix across blocks or offsets, so a dimension's work splits
//! into slices (a range of blocks, or a range of offsets when there is one block) that threads take apart, each
//! group's parts still added in codelist order.

use super::relations::{Acc, GAP_UNITS, GAP_VALUE};
use super::{Finding, Status, additivity, class_disclosure};
use crate::policy::ClassDisclosure;
use crate::table::{Dimension, Table};

#[cfg(test)]
thread_local! {
    /// Tests turn the grid off to compare it with the group slots every other table in key order gets.
    pub(super) static NO_GRID: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Tests cut small tables into this many slices per dimension.
    pub(super) static PIECES: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Tests make every read of a part's cells fail, as a bug would.
    pub(super) static FAIL_READS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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
    /// The parts as runs of consecutive codes under one parent, in codelist order.
    runs: Vec<Run>,
}

/// Consecutive codes that are parts of the groups of one parent.
struct Run {
    rank: u32,
    codes: std::ops::Range<usize>,
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
        let parts: Vec<PartCode> = (0..dim.len() as u32)
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
        let mut runs: Vec<Run> = Vec::new();
        for p in &parts {
            let code = p.code as usize;
            match runs.last_mut() {
                Some(r) if r.rank == p.rank && r.codes.end == code => r.codes.end += 1,
                _ => runs.push(Run {
                    rank: p.rank,
                    codes: code..code + 1,
                }),
            }
        }
        let stride = usize::try_from(table.stride(d)).ok()?;
        Some(Grid {
            table,
            d,
            dim,
            stride,
            block: stride.checked_mul(dim.len())?,
            heads,
            parts,
            runs,
        })
    }

    /// The dimension's work cut into up to `pieces` slices of about equal size: ranges of blocks, or ranges of
    /// offsets in the rows when there are fewer blocks than pieces.
    pub fn slices(&self, pieces: usize) -> Vec<Slice> {
        let blocks = self.table.len().checked_div(self.block).unwrap_or(0);
        let pieces = pieces.max(1);
        let cut = |len: usize| -> Vec<std::ops::Range<usize>> {
            let k = pieces.min(len).max(1);
            (0..k).map(|i| i * len / k..(i + 1) * len / k).collect()
        };
        if blocks >= pieces || self.stride < pieces {
            cut(blocks)
                .into_iter()
                .map(|blocks| Slice {
                    blocks,
                    cols: 0..self.stride,
                })
                .collect()
        } else {
            cut(self.stride)
                .into_iter()
                .map(|cols| Slice {
                    blocks: 0..blocks,
                    cols,
                })
                .collect()
        }
    }

    /// Calls `f` for every block of the slice, in cell order, with the sums of the block's groups at the slice's
    /// offsets. `false` when a part's cells could not be read (a lookup outside the table: a full grid has none,
    /// so this is a bug), and then the caller drops the grid's findings and judges the groups another way: a
    /// group the grid could not add up is never passed as safe.
    #[must_use]
    pub fn each_block(&self, slice: &Slice, mut f: impl FnMut(&Block)) -> bool {
        let s = self.table.shadow();
        let n = &s.n;
        let value = s.value.as_ref();
        let (n_gaps, value_gaps) = (n.any_missing(), value.is_some_and(|v| v.any_missing()));
        let mut empty = Acc::EMPTY;
        if value.is_none() {
            empty.gaps = GAP_VALUE;
        }
        let (stride, width) = (self.stride, slice.cols.len());
        let mut block = Block {
            first: 0,
            cols: slice.cols.clone(),
            stride,
            sums: vec![empty; self.heads.len() * width],
        };
        for b in slice.blocks.clone() {
            let first = b * self.block;
            block.first = first;
            let Some(ns) = read(n.values(), first..first + self.block) else {
                return false;
            };
            let vs = value.and_then(|v| v.values().get(first..first + self.block));
            let sums = &mut block.sums;
            sums.fill(empty);
            if stride == 1 {
                // One cell a row: a run of parts is a stretch of the block, added up in a register.
                for r in &self.runs {
                    let Some(acc) = sums.get_mut(r.rank as usize) else {
                        continue; // a root code (rank u32::MAX) has no group
                    };
                    let mut a = *acc;
                    let Some(xs) = read(ns, r.codes.clone()) else {
                        return false;
                    };
                    match vs.and_then(|vs| vs.get(r.codes.clone())) {
                        Some(vs) => {
                            for (&x, &v) in xs.iter().zip(vs) {
                                a.add_units(x);
                                a.add_value(v);
                            }
                        }
                        None => xs.iter().for_each(|&x| a.add_units(x)),
                    }
                    *acc = a;
                }
            } else {
                // Up to four parts of one group at a time: each group's sums are loaded and stored once for
                // them, its parts still added in codelist order.
                let mut rest = self.parts.as_slice();
                while let Some(first_part) = rest.first() {
                    let rank = first_part.rank;
                    let k = rest.iter().take(4).take_while(|p| p.rank == rank).count();
                    let (run, after) = rest.split_at(k.max(1));
                    rest = after;
                    let at = rank as usize * width;
                    let Some(accs) = sums.get_mut(at..at + width) else {
                        continue; // a root code (rank u32::MAX) has no group
                    };
                    let row = |p: &PartCode| {
                        let start = p.code as usize * stride + slice.cols.start;
                        start..start + width
                    };
                    let units = |p: &PartCode| read(ns, row(p));
                    let values = |p: &PartCode| vs.and_then(|vs| vs.get(row(p)));
                    if run.iter().any(|p| units(p).is_none()) {
                        return false;
                    }
                    let units = |p: &PartCode| units(p).unwrap_or(&[]);
                    match run {
                        [a, b, c, d] => {
                            let xs = [units(a), units(b), units(c), units(d)];
                            match (values(a), values(b), values(c), values(d)) {
                                (Some(va), Some(vb), Some(vc), Some(vd)) => {
                                    add4(accs, xs, Some([va, vb, vc, vd]))
                                }
                                _ => add4(accs, xs, None),
                            }
                        }
                        _ => {
                            for p in run {
                                add1(accs, units(p), values(p));
                            }
                        }
                    }
                }
            }
            // Missing entries hold 0 in their columns: added as such above, marked here.
            if n_gaps || value_gaps {
                for p in &self.parts {
                    let at = p.rank as usize * width;
                    let Some(accs) = sums.get_mut(at..at + width) else {
                        continue;
                    };
                    let row = block.first + p.code as usize * stride + slice.cols.start;
                    for (cell, a) in (row..).zip(accs.iter_mut()) {
                        if n.is_missing(cell) {
                            a.gaps |= GAP_UNITS;
                        }
                        if value.is_some_and(|v| v.is_missing(cell)) {
                            a.gaps |= GAP_VALUE;
                        }
                    }
                }
            }
            f(&block);
        }
        true
    }
}

/// `xs[range]`, or `None` when the range lies outside (or a test makes every read fail, to check that the grid
/// then leaves the groups to the general path).
#[inline]
fn read<T>(xs: &[T], range: std::ops::Range<usize>) -> Option<&[T]> {
    #[cfg(test)]
    if FAIL_READS.with(std::cell::Cell::get) {
        return None;
    }
    xs.get(range)
}

/// Adds one part's row of cells (units, and values when the table has them) to its groups' sums.
#[inline(always)]
fn add1(accs: &mut [Acc], xs: &[u64], vs: Option<&[f64]>) {
    match vs {
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

/// Adds four parts' rows of cells to their groups' sums, in the order given.
#[inline(always)]
fn add4(accs: &mut [Acc], [x0, x1, x2, x3]: [&[u64]; 4], vs: Option<[&[f64]; 4]>) {
    let units = x0.iter().zip(x1).zip(x2).zip(x3);
    match vs {
        Some([v0, v1, v2, v3]) => {
            let values = v0.iter().zip(v1).zip(v2).zip(v3);
            for ((a, (((&x0, &x1), &x2), &x3)), (((&v0, &v1), &v2), &v3)) in
                accs.iter_mut().zip(units).zip(values)
            {
                let mut s = *a;
                s.add_units(x0);
                s.add_value(v0);
                s.add_units(x1);
                s.add_value(v1);
                s.add_units(x2);
                s.add_value(v2);
                s.add_units(x3);
                s.add_value(v3);
                *a = s;
            }
        }
        None => {
            for (a, (((&x0, &x1), &x2), &x3)) in accs.iter_mut().zip(units) {
                let mut s = *a;
                s.add_units(x0);
                s.add_units(x1);
                s.add_units(x2);
                s.add_units(x3);
                *a = s;
            }
        }
    }
}

/// A share of one dimension's work: these blocks, these offsets in their rows.
pub(super) struct Slice {
    blocks: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
}

/// One block of a slice, its groups summed.
pub(super) struct Block {
    first: usize,
    cols: std::ops::Range<usize>,
    stride: usize,
    /// Group `(rank, offset)` at `rank * width + offset - cols.start`.
    sums: Vec<Acc>,
}

impl Block {
    /// The cells of the slice in the row of `code`: the first one and how many.
    #[inline]
    pub fn cells(&self, code: u32) -> std::ops::Range<usize> {
        let start = self.first + code as usize * self.stride + self.cols.start;
        start..start + self.cols.len()
    }

    /// Where the groups headed by the code of rank `r` sit among the block's groups, one per cell of
    /// [`Block::cells`].
    #[inline]
    pub fn groups(&self, r: u32) -> std::ops::Range<usize> {
        let w = self.cols.len();
        r as usize * w..(r as usize + 1) * w
    }

    /// The sums of the groups headed by the code of rank `r`, one per cell of [`Block::cells`].
    #[inline]
    pub fn row(&self, r: u32) -> &[Acc] {
        self.sums.get(self.groups(r)).unwrap_or(&[])
    }

    /// All groups of the block.
    pub fn len(&self) -> usize {
        self.sums.len()
    }
}

/// A rule's findings, `(cell, finding)`.
type Found = Vec<(u32, Finding)>;

/// Class disclosure (when the policy has it) and additivity along every dimension of a full table, one pass per
/// dimension (natively its slices on the threads of the pool). Returns each rule's findings in cell order, a
/// cell's in dimension order; `None` when the table is not a full grid.
pub(super) fn run(
    table: &Table,
    class: Option<(&ClassDisclosure, Status)>,
    additivity: Status,
) -> Option<(Found, Found)> {
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
    // Every dimension in as many slices as the pool has threads, so they all finish together.
    let pieces = super::pass::threads_for(table.len());
    #[cfg(test)]
    let pieces = PIECES.with(std::cell::Cell::get).unwrap_or(pieces);
    let jobs: Vec<(&Grid, Slice)> = grids
        .iter()
        .flat_map(|g| g.slices(pieces).into_iter().map(move |s| (g, s)))
        .collect();
    let per_slice = super::pass::run_all(jobs, |(g, slice)| {
        let (mut found_class, mut found_sums, mut may) = (Vec::new(), Vec::new(), Vec::new());
        let complete = g.each_block(&slice, |block| {
            if let Some((c, undecided)) = class {
                class_disclosure::judge_block(g, block, c, undecided, &mut may, &mut found_class);
            }
            additivity::judge_block(g, block, additivity, &mut found_sums);
        });
        complete.then_some((found_class, found_sums))
    });
    let (mut found_class, mut found_sums) = (Vec::new(), Vec::new());
    for slice in per_slice {
        // A slice the grid could not add up: the general path judges the whole table instead.
        let (c, s) = slice?;
        found_class.extend(c);
        found_sums.extend(s);
    }
    // Stable: a cell's findings stay in dimension order (slices of offsets interleave, and dimensions do).
    for found in [&mut found_class, &mut found_sums] {
        if !found.is_sorted_by_key(|(cell, _)| *cell) {
            found.sort_by_key(|(cell, _)| *cell);
        }
    }
    Some((found_class, found_sums))
}

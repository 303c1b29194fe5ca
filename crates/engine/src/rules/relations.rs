//! The additive relations of a table along one dimension, laid out for the rules that walk them (class
//! disclosure, additivity): every group of cells under one parent code gets a slot of its own, numbered from the
//! cells' other coordinates and the parent code's rank, so a pass over the cells can add each one into its group
//! with a few multiplications and no lookup.

use crate::table::{Dimension, Table};

/// Groups along dimension `d`.
pub(super) struct Groups<'a> {
    table: &'a Table,
    d: usize,
    dim: &'a Dimension,
    /// Per other dimension its stride among the groups (0 for `d`).
    strides: Vec<u64>,
    /// Per code of `d`: its rank among the codes that have children (`u32::MAX` for a leaf).
    rank: Vec<u32>,
    /// Per code of `d`: its parent's rank (`u32::MAX` for a root).
    parent_rank: Vec<u32>,
    /// Number of group slots.
    pub len: usize,
}

/// Slots allowed per cell of the table: a group's sums take up to 40 bytes, so the layout never outgrows the
/// table itself; beyond that (many parents in a sparse table) the rules look groups up one by one.
const SLOTS_PER_CELL: u64 = 1;
const SLOTS_MIN: u64 = 1 << 16;

#[cfg(test)]
thread_local! {
    /// Tests turn the layout off to compare it with the lookups sparse tables use.
    pub(super) static NO_LAYOUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl<'a> Groups<'a> {
    /// `None` when `d` has no hierarchy or its groups are too many to lay out for the table's size.
    pub fn new(table: &'a Table, d: usize) -> Option<Self> {
        let dim = table.dims().get(d)?;
        let mut rank = vec![u32::MAX; dim.len()];
        let mut parents = 0u64;
        for (code, r) in rank.iter_mut().enumerate() {
            if !dim.children(code as u32).is_empty() {
                *r = parents as u32;
                parents += 1;
            }
        }
        if parents == 0 {
            return None;
        }
        let mut strides = vec![0u64; table.dims().len()];
        let mut acc = parents;
        for (e, other) in table.dims().iter().enumerate().rev() {
            if e == d {
                continue;
            }
            if let Some(s) = strides.get_mut(e) {
                *s = acc;
            }
            acc = acc.checked_mul(other.len().max(1) as u64)?;
        }
        let limit = (table.len() as u64)
            .saturating_mul(SLOTS_PER_CELL)
            .max(SLOTS_MIN);
        #[cfg(test)]
        if NO_LAYOUT.with(std::cell::Cell::get) {
            return None;
        }
        let parent_rank = (0..dim.len() as u32)
            .map(|code| {
                dim.parent(code)
                    .and_then(|p| rank.get(p as usize).copied())
                    .unwrap_or(u32::MAX)
            })
            .collect();
        (acc <= limit).then_some(Groups {
            table,
            d,
            dim,
            strides,
            rank,
            parent_rank,

            len: acc as usize,
        })
    }

    /// The slot of rank `r`'s group that a cell with these coordinates belongs to or heads.
    #[inline]
    fn slot(&self, coords: &[u32], r: u32) -> Option<usize> {
        if r == u32::MAX {
            return None;
        }
        let base: u64 = coords
            .iter()
            .zip(&self.strides)
            .map(|(&c, &s)| u64::from(c) * s)
            .sum();
        Some((base + u64::from(r)) as usize)
    }

    /// The slots of the group a cell heads and of the group it is a part of ([`Groups::of_head`],
    /// [`Groups::of_part`]), its coordinates read once.
    #[inline]
    pub fn of_cell(&self, cell: u32) -> (Option<usize>, Option<usize>) {
        let coords = self.table.cell_coords(cell);
        let Some(&code) = coords.get(self.d) else {
            return (None, None);
        };
        let (Some(&head), Some(&part)) = (
            self.rank.get(code as usize),
            self.parent_rank.get(code as usize),
        ) else {
            return (None, None);
        };
        if head == u32::MAX && part == u32::MAX {
            return (None, None);
        }
        let base: u64 = coords
            .iter()
            .zip(&self.strides)
            .map(|(&c, &s)| u64::from(c) * s)
            .sum();
        let at = |r: u32| (r != u32::MAX).then(|| (base + u64::from(r)) as usize);
        (at(head), at(part))
    }

    /// The slot of the group a part belongs to (its code's parent's group).
    #[inline]
    pub fn of_part(&self, cell: u32) -> Option<usize> {
        let coords = self.table.cell_coords(cell);
        let code = *coords.get(self.d)?;
        self.slot(coords, *self.parent_rank.get(code as usize)?)
    }

    /// The code of a part's parent.
    pub fn parent_code(&self, cell: u32) -> Option<u32> {
        self.dim.parent(*self.table.cell_coords(cell).get(self.d)?)
    }

    /// The slot of the group a cell heads (its code has children).
    #[inline]
    pub fn of_head(&self, cell: u32) -> Option<usize> {
        let coords = self.table.cell_coords(cell);
        let code = *coords.get(self.d)?;
        self.slot(coords, *self.rank.get(code as usize)?)
    }
}

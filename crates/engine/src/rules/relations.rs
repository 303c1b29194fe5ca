//! The additive relations of a table along one dimension, walked once for the rules that judge groups (class
//! disclosure, additivity): [`group_sums`] hands them every group's head cell, parts and what the parts add up to
//! ([`Acc`]); the rules only judge. (On a full table `grid.rs` walks whole rows of cells instead, into the same
//! `Acc`s.) Every group of cells under one parent code gets a slot of its own, numbered from the cells' other
//! coordinates and the parent code's rank ([`Groups`]), so a pass over the cells adds each one into its group with
//! a few multiplications and no lookup; a sparse table, whose groups are too many to lay out, numbers its groups
//! by sorting their keys.

use crate::table::Table;

/// The groups of cells along one dimension and what their parts add up to.
pub(super) struct GroupSums {
    /// Per group: its parts' units and values, added in codelist order.
    pub sums: Vec<Acc>,
    /// Per group: its head cell, when the table has one.
    pub head: Vec<Option<u32>>,
    /// The cells that head a group, in cell order, with their group.
    pub heads: Vec<(u32, usize)>,
    /// The cells that are a part of a group, in cell order, with their group.
    pub parts: Vec<(u32, usize)>,
}

/// The groups along dimension `d` with their sums; `None` when no code of `d` has children.
pub(super) fn group_sums(table: &Table, d: usize) -> Option<GroupSums> {
    let dim = table.dims().get(d)?;
    if (0..dim.len() as u32).all(|code| dim.children(code).is_empty()) {
        return None;
    }
    let (len, mut heads, mut parts) = match Groups::new(table, d) {
        Some(g) => {
            let (mut heads, mut parts) = (Vec::new(), Vec::new());
            g.each_cell(
                #[inline(always)]
                |cell, _, head, part| {
                    if let Some(h) = head {
                        heads.push((cell, h));
                    }
                    if let Some(p) = part {
                        parts.push((cell, p));
                    }
                },
            );
            (g.len, heads, parts)
        }
        None => by_keys(table, d)?,
    };
    // The parts are added in key order, which is codelist order within a group (so every path gives the same
    // sums, bit for bit); a table whose cells are not in key order is visited through its index.
    let mut sums = vec![Acc::EMPTY; len];
    let mut add = |cell: u32, slot: usize| {
        if let Some(a) = sums.get_mut(slot) {
            match table.value(cell) {
                Some(v) => a.add_value(v),
                None => a.gaps |= GAP_VALUE,
            }
            match table.n(cell) {
                Some(n) => a.add_units(n),
                None => a.gaps |= GAP_UNITS,
            }
        }
    };
    if table.keys().is_sorted() {
        for &(cell, slot) in &parts {
            add(cell, slot);
        }
    } else {
        let mut slot_of = vec![usize::MAX; table.len()];
        for &(cell, slot) in &parts {
            if let Some(s) = slot_of.get_mut(cell as usize) {
                *s = slot;
            }
        }
        for cell in table.cells_in_key_order() {
            if let Some(&slot) = slot_of.get(cell as usize).filter(|&&s| s != usize::MAX) {
                add(cell, slot);
            }
        }
    }
    if !heads.is_sorted() {
        heads.sort_unstable();
    }
    if !parts.is_sorted() {
        parts.sort_unstable();
    }
    let mut head = vec![None; len];
    for &(cell, slot) in &heads {
        if let Some(h) = head.get_mut(slot) {
            *h = Some(cell);
        }
    }
    Some(GroupSums {
        sums,
        head,
        heads,
        parts,
    })
}

/// Heads and parts of a sparse table's groups along `d`, each group numbered by the rank of its key (the key its
/// head cell has or would have) among all of them: `(groups, heads, parts)`.
#[allow(clippy::type_complexity)]
fn by_keys(table: &Table, d: usize) -> Option<(usize, Vec<(u32, usize)>, Vec<(u32, usize)>)> {
    let dim = table.dims().get(d)?;
    let stride = table.stride(d);
    // (group key, cell, whether the cell heads the group).
    let mut found: Vec<(u64, u32, bool)> = Vec::new();
    for (cell, (&key, coords)) in table
        .keys()
        .iter()
        .zip(table.coords().chunks_exact(table.dims().len().max(1)))
        .enumerate()
    {
        let code = *coords.get(d)?;
        if !dim.children(code).is_empty() {
            found.push((key, cell as u32, true));
        }
        if let Some(parent) = dim.parent(code) {
            let group = key - u64::from(code) * stride + u64::from(parent) * stride;
            found.push((group, cell as u32, false));
        }
    }
    let mut keys: Vec<u64> = found.iter().map(|f| f.0).collect();
    keys.sort_unstable();
    keys.dedup();
    let (mut heads, mut parts) = (Vec::new(), Vec::new());
    for (group, cell, is_head) in found {
        let slot = keys.binary_search(&group).ok()?;
        if is_head {
            heads.push((cell, slot));
        } else {
            parts.push((cell, slot));
        }
    }
    Some((keys.len(), heads, parts))
}

/// Groups along dimension `d`.
pub(super) struct Groups<'a> {
    table: &'a Table,
    d: usize,
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
            strides,
            rank,
            parent_rank,

            len: acc as usize,
        })
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

    /// Calls `f(cell, code, head, part)` for every cell, in cell order, whose code in the dimension heads a group
    /// or is a part of one: `code` is that code, `head` and `part` the slots of [`Groups::of_cell`]. One pass over
    /// the coordinates, unrolled for tables of up to four dimensions.
    #[inline]
    pub fn each_cell(&self, mut f: impl FnMut(u32, u32, Option<usize>, Option<usize>)) {
        match self.strides.len() {
            1 => self.walk::<1>(&mut f),
            2 => self.walk::<2>(&mut f),
            3 => self.walk::<3>(&mut f),
            4 => self.walk::<4>(&mut f),
            _ => {
                for cell in 0..self.table.len() as u32 {
                    if let Some(&code) = self.table.cell_coords(cell).get(self.d) {
                        let (head, part) = self.of_cell(cell);
                        if head.is_some() || part.is_some() {
                            f(cell, code, head, part);
                        }
                    }
                }
            }
        }
    }

    #[inline(always)]
    fn walk<const N: usize>(&self, f: &mut impl FnMut(u32, u32, Option<usize>, Option<usize>)) {
        let mut strides = [0u64; N];
        for (s, &t) in strides.iter_mut().zip(&self.strides) {
            *s = t;
        }
        let coords = self.table.coords();
        for (cell, c) in coords.chunks_exact(N).take(self.table.len()).enumerate() {
            let Some(&code) = c.get(self.d) else {
                continue;
            };
            let (Some(&head), Some(&part)) = (
                self.rank.get(code as usize),
                self.parent_rank.get(code as usize),
            ) else {
                continue;
            };
            if head == u32::MAX && part == u32::MAX {
                continue;
            }
            let mut base = 0u64;
            for (&x, &s) in c.iter().zip(&strides) {
                base += u64::from(x) * s;
            }
            let at = |r: u32| (r != u32::MAX).then(|| (base + u64::from(r)) as usize);
            f(cell as u32, code, at(head), at(part));
        }
    }
}

/// What the parts of one group add up to: all additivity compares (value, units) and all class disclosure
/// weighs (units, the largest part, the non-empty parts).
#[derive(Clone, Copy)]
pub(super) struct Acc {
    /// The parts' values and absolute values, added in codelist order from the sum of no numbers (`-0.0`, as
    /// `Iterator::sum` gives it), so the sums are those of a part-by-part lookup, bit for bit.
    pub value: f64,
    pub abs: f64,
    /// The parts' units (saturating), the largest part's units, and the parts with at least one unit.
    pub units: u64,
    pub max: u64,
    pub nonzero: u32,
    /// [`GAP_VALUE`]: a part without a value (or no value column); [`GAP_UNITS`]: a part without a unit count.
    pub gaps: u8,
}

pub(super) const GAP_VALUE: u8 = 1;
pub(super) const GAP_UNITS: u8 = 2;

impl Acc {
    pub const EMPTY: Acc = Acc {
        value: -0.0,
        abs: -0.0,
        units: 0,
        max: 0,
        nonzero: 0,
        gaps: 0,
    };

    /// Adds a part's unit count.
    #[inline(always)]
    pub fn add_units(&mut self, n: u64) {
        self.units = self.units.saturating_add(n);
        self.max = self.max.max(n);
        self.nonzero += u32::from(n > 0);
    }

    /// Adds a part's value. One that is not finite makes `abs` infinite or NaN, which marks the sum unknown
    /// ([`Acc::value_known`]) without a test per part.
    #[inline(always)]
    pub fn add_value(&mut self, v: f64) {
        self.value += v;
        self.abs += v.abs();
    }

    /// Whether the parts' values add up to a number: none missing and none infinite or NaN. (Finite parts whose
    /// absolute values add up past the largest float count as unknown too: a comparison against them could not
    /// find a difference anyway.)
    #[inline]
    pub fn value_known(&self) -> bool {
        self.gaps & GAP_VALUE == 0 && self.abs.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::Groups;
    use crate::policy::Policy;
    use crate::rules::RuleCode;
    use crate::rules::check_table;
    use crate::table::{Column, Dimension, Shadow, Table};

    /// A table of `nd` flat dimensions (2–3 codes and a total each), every code combination a cell, listed in key
    /// order or in a scrambled order; `n` and `value` made up, so totals do not add up.
    fn table(nd: usize, scrambled: bool) -> Table {
        let dims: Vec<Dimension> = (0..nd)
            .map(|d| {
                let name = format!("d{d}");
                Dimension::flat(
                    &name,
                    (0..2 + d % 2).map(|c| format!("{name}c{c}")),
                    Some("Total"),
                )
            })
            .collect();
        let sizes: Vec<usize> = dims.iter().map(Dimension::len).collect();
        let cells: usize = sizes.iter().product();
        let mut order: Vec<usize> = (0..cells).collect();
        if scrambled {
            // A fixed permutation: multiply by a unit modulo the cell count.
            let step = (2..cells)
                .find(|s| gcd(*s, cells) == 1 && *s * 2 > cells)
                .unwrap_or(1);
            order = (0..cells).map(|i| i * step % cells).collect();
        }
        let mut coords = Vec::new();
        let mut s = Shadow {
            value: Some(Column::new()),
            ..Shadow::default()
        };
        for &k in &order {
            let mut rest = k;
            let mut at = vec![0u32; nd];
            for (d, size) in sizes.iter().enumerate().rev() {
                at[d] = (rest % size) as u32;
                rest /= size;
            }
            coords.extend(at);
            s.n.push(Some((k * 7 % 13) as u64));
            if let Some(v) = s.value.as_mut() {
                v.push(Some((k * 5 % 11) as f64));
            }
        }
        Table::new("t", dims, coords, (1..=cells as u64).collect(), s).unwrap()
    }

    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }

    /// The one-pass walk over the coordinates (unrolled up to four dimensions, a plain loop beyond) finds the same
    /// slots as looking each cell up.
    #[test]
    fn each_cell_finds_the_slots_of_of_cell() {
        for nd in 1..=6 {
            let t = table(nd, true);
            for d in 0..nd {
                let g = Groups::new(&t, d).unwrap();
                let mut seen = Vec::new();
                g.each_cell(|cell, code, head, part| {
                    assert_eq!(code, t.cell_coords(cell)[d]);
                    seen.push((cell, head, part));
                });
                let want: Vec<_> = (0..t.len() as u32)
                    .map(|c| (c, g.of_cell(c)))
                    .filter(|(_, (h, p))| h.is_some() || p.is_some())
                    .map(|(c, (h, p))| (c, h, p))
                    .collect();
                assert_eq!(seen, want, "{nd} dimensions, along {d}");
                assert!(seen.iter().any(|s| s.1.is_some()) && seen.iter().any(|s| s.2.is_some()));
            }
        }
    }

    /// Additivity judges the same cells with the same numbers whether the cells come in key order (one pass over
    /// the coordinates) or not (cells visited through the index).
    #[test]
    fn additivity_does_not_depend_on_the_cell_order() {
        let mut policy = Policy::preset("essnet").unwrap();
        policy.dominance.clear(); // the table has no top contributions
        for nd in 1..=5 {
            let found = |t: &Table| {
                let r = check_table(t, &policy).unwrap();
                let mut f: Vec<(Vec<u32>, String)> = r
                    .cells_with(RuleCode::Additivity)
                    .map(|(c, f)| (t.cell_coords(c).to_vec(), f.detail(&r.dimensions)))
                    .collect();
                f.sort();
                f
            };
            let (sorted, scrambled) = (table(nd, false), table(nd, true));
            assert!(sorted.keys().is_sorted() && !scrambled.keys().is_sorted());
            let a = found(&sorted);
            assert!(!a.is_empty(), "{nd} dimensions");
            assert_eq!(a, found(&scrambled), "{nd} dimensions");
        }
    }
}

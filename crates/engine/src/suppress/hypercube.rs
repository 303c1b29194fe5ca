//! The `fast` method: for each primary cell in turn, the cheapest hypercube of suppressed cells that protects
//! it on its own (the idea of τ-ARGUS's hypercube method, GHMITER, by Repsilber), followed by the audit, which
//! sends any primary still short back for another hypercube.
//!
//! # Why a hypercube protects
//! In one dimension, a signed set of codes `v` that keeps every relation along it (a total and its parts) is a
//! direction the attacker cannot tell from the published table: two siblings moved apart (`+t` and `−t`), a
//! code moved with its parent, grandparent … up to the total (all `+t`), or with its ancestors up to one whose
//! sibling moves the other way (a cousin: `+t` up to the ancestor, `−t` for its sibling), each code with
//! children carried by one child down to a leaf. The product of one such set per dimension keeps every relation
//! of the table, so moving the `+` corners up by `t` and the `−` corners down by `t` is another table with the
//! same published cells, as long as every corner stays within the bounds. The primary cell can therefore rise by the smallest room of the
//! `−` corners and fall by the smallest room of the `+` corners: a hypercube whose rooms reach the primary's
//! levels protects it, whatever else is suppressed (suppressing more only widens an attacker's intervals).
//!
//! # The search
//! Per dimension, the candidate sets through the primary's code (each sibling of the code or of one of its
//! ancestors, reached through the ancestors in between, and the way up to the total; below a code with children,
//! each of its children and then the child with the largest figure on the line), at most `PER_DIM^(1/dims)` per
//! dimension, ranked by what their cells on the line through the primary cost;
//! the cheapest valid product wins (cells already suppressed cost nothing; a cell declared safe costs more than
//! every other cell together, so it is chosen only when nothing else protects; a cell that must be published is
//! never chosen; with `singletons`, another one-unit primary is avoided, since its contributor knows it). When no
//! candidate reaches the levels the search tries every candidate, and then takes the one that reaches furthest;
//! the audit decides. Where the hypercubes cost far more than the primary, `fast` also asks `flow` for the
//! cheapest deviation of the table that moves it, which need not move every cell by the same amount.

use super::levels::Levels;
use crate::table::{Apriori, Table};

/// Combinations tried per primary before widening the search to every candidate.
const PER_DIM: usize = 4096;

/// Per cell, what choosing it costs, and whether it may be chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Choice {
    Cost(f64),
    /// Declared safe: chosen only when nothing else protects.
    Reluctant(f64),
    /// Must be published, or is known to an attacker.
    Never,
}

/// The search's view of a table.
pub(super) struct Search<'a> {
    pub table: &'a Table,
    pub values: &'a [f64],
    pub lower_bound: f64,
    pub choice: &'a [Choice],
    /// The penalty a reluctant cell adds: more than all costs together.
    pub reluctance: f64,
    /// Cells that may be corners whatever `choice` says (a singleton holding the primary's own unit).
    pub allow: &'a [u32],
    /// A cell that may not be a corner whatever `choice` says (a singleton the attacker knows).
    pub known: Option<u32>,
    /// Cells that may not be corners either (those of the other hypercubes of a bundle).
    pub banned: &'a [u32],
    /// A corner not yet suppressed must cost less than this.
    pub cap: f64,
    /// Which cells may be corners.
    pub corners: Corners,
}

/// Which cells a search may take as corners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Corners {
    /// Any the choices allow.
    Any,
    /// Only cells already suppressed (a pattern made smaller, never larger).
    Suppressed,
    /// Any, but at least one not yet suppressed (another hypercube beside those a primary has).
    New,
}

/// A hypercube: its corners with their signs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cube {
    pub corners: Vec<(u32, i8)>,
    /// How far the primary can rise and fall within it.
    pub up: f64,
    pub down: f64,
    pub cost: f64,
}

impl Cube {
    /// Whether its rooms reach `levels` (see [`reaches`]).
    fn protects(&self, l: &Levels, tol: f64) -> bool {
        reaches(self.up, self.down, l, tol)
    }
    /// How close its rooms come to `levels`, 1 and above when it protects.
    fn reach(&self, l: &Levels) -> f64 {
        let ratio = |room: f64, need: f64| {
            if need <= 0.0 {
                f64::INFINITY
            } else {
                room / need
            }
        };
        ratio(self.up, l.upper)
            .min(ratio(self.down, l.lower))
            .min(ratio(self.up + self.down, l.sliding))
            .min(if self.up + self.down > 0.0 {
                f64::INFINITY
            } else {
                0.0
            })
    }
}

impl Search<'_> {
    /// What taking cell `c` as a corner costs; `None` when it may not be one.
    pub(super) fn price(&self, c: u32) -> Option<f64> {
        match self.choice.get(c as usize)? {
            Choice::Never if self.allow.contains(&c) => Some(0.0),
            Choice::Never => None,
            Choice::Cost(x) => Some(*x),
            Choice::Reluctant(x) => Some(x + self.reluctance),
        }
    }

    pub(super) fn value(&self, c: u32) -> f64 {
        self.values.get(c as usize).copied().unwrap_or(0.0)
    }

    /// The cell on the line through `cell` with code `x` in dimension `d` (the other coordinates `cell`'s).
    fn on_line(&self, cell: u32, d: usize, x: u32) -> Option<u32> {
        let key = self.table.keys().get(cell as usize)?;
        let code = *self.table.cell_coords(cell).get(d)?;
        let stride = self.table.stride(d);
        self.table
            .find(key - u64::from(code) * stride + u64::from(x) * stride)
    }

    /// The figure of that cell, −∞ where the table has none.
    pub(super) fn line_value(&self, cell: u32, d: usize, x: u32) -> f64 {
        self.on_line(cell, d, x)
            .map_or(f64::NEG_INFINITY, |c| self.value(c))
    }

    /// The signed code sets through `code` of dimension `d` (see the module's documentation), the primary's code
    /// first with sign +1.
    fn along(&self, cell: u32, d: usize) -> Vec<Vec<(u32, i8)>> {
        let Some(dim) = self.table.dims().get(d) else {
            return Vec::new();
        };
        let coords = self.table.cell_coords(cell);
        let Some(&code) = coords.get(d) else {
            return Vec::new();
        };
        let line = |x: u32| self.on_line(cell, d, x);
        let line_value = |x: u32| self.line_value(cell, d, x);
        // Below a code with children: the child with the largest figure on the line, down to a leaf.
        let down = |mut x: u32, sign: i8, out: &mut Vec<(u32, i8)>| {
            for _ in 0..dim.len() {
                let kids = dim.children(x);
                let Some(&best) = kids
                    .iter()
                    .max_by(|&&a, &&b| line_value(a).total_cmp(&line_value(b)).then(b.cmp(&a)))
                else {
                    break;
                };
                out.push((best, sign));
                x = best;
            }
        };
        // The primary's own way down: each of its children in turn (or none when it is a leaf).
        let mut own: Vec<Vec<(u32, i8)>> = Vec::new();
        for &kid in dim.children(code) {
            let mut v = vec![(code, 1), (kid, 1)];
            down(kid, 1, &mut v);
            own.push(v);
        }
        if own.is_empty() {
            own.push(vec![(code, 1)]);
        }
        let mut out = Vec::new();
        for base in &own {
            // Up through the code's ancestors, each taken with the code (`+`), then across to a sibling of the
            // code or of one of them (`−`, carried down to a leaf); or up all the way to the total.
            let mut up = base.clone();
            let mut at = code;
            for _ in 0..dim.len() {
                let Some(parent) = dim.parent(at) else {
                    break;
                };
                for &sib in dim.children(parent) {
                    if sib == at {
                        continue;
                    }
                    let mut v = up.clone();
                    v.push((sib, -1));
                    down(sib, -1, &mut v);
                    out.push(v);
                }
                up.push((parent, 1));
                at = parent;
            }
            out.push(up);
        }
        // Ranked by the cost of their cells on the line (a cell missing from the table: last).
        let line_cost = |v: &Vec<(u32, i8)>| -> f64 {
            v.iter()
                .skip(1)
                .map(|&(x, _)| line(x).and_then(|c| self.price(c)).unwrap_or(f64::INFINITY))
                .sum()
        };
        let mut ranked: Vec<(f64, usize)> = out.iter().map(line_cost).zip(0..).collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .filter_map(|(_, i)| out.get(i).cloned())
            .collect()
    }

    /// The hypercube of `cell` with the given sets, when every corner is in the table and may be chosen.
    fn cube(&self, cell: u32, sets: &[&Vec<(u32, i8)>], suppressed: &[bool]) -> Option<Cube> {
        let key0 = *self.table.keys().get(cell as usize)?;
        let coords = self.table.cell_coords(cell);
        let mut corners: Vec<(u64, i8)> = vec![(key0, 1)];
        for (d, set) in sets.iter().enumerate() {
            let code = u64::from(*coords.get(d)?);
            let stride = self.table.stride(d);
            let mut next = Vec::with_capacity(corners.len() * set.len());
            for &(k, s) in &corners {
                for &(x, sx) in set.iter() {
                    next.push((k - code * stride + u64::from(x) * stride, s * sx));
                }
            }
            corners = next;
        }
        let (mut up, mut down, mut cost) = (f64::INFINITY, f64::INFINITY, 0.0);
        let mut fresh = false;
        let mut out = Vec::with_capacity(corners.len());
        for (key, sign) in corners {
            let c = self.table.find(key)?;
            let room = self.value(c) - self.lower_bound;
            if sign > 0 {
                down = down.min(room);
            } else {
                up = up.min(room);
            }
            if c != cell {
                let free = suppressed.get(c as usize).copied().unwrap_or(false);
                if Some(c) == self.known
                    || self.banned.contains(&c)
                    || (self.corners == Corners::Suppressed && !free)
                {
                    return None;
                }
                fresh |= !free;
                // Known to the attacker, or to be published: never a corner, suppressed or not.
                let price = self.price(c)?;
                if !free {
                    if price >= self.cap {
                        return None;
                    }
                    cost += price;
                }
            }
            out.push((c, sign));
        }
        if self.corners == Corners::New && !fresh {
            return None;
        }
        Some(Cube {
            corners: out,
            up,
            down,
            cost,
        })
    }

    /// The cheapest hypercube that protects `cell` to `levels`, or when none does, the one that comes closest
    /// (`None` when the table offers none at all).
    pub fn best(
        &self,
        cell: u32,
        levels: &Levels,
        suppressed: &[bool],
        tol: f64,
    ) -> Option<(Cube, bool)> {
        let dims = self.table.dims().len();
        let all: Vec<Vec<Vec<(u32, i8)>>> = (0..dims).map(|d| self.along(cell, d)).collect();
        if all.iter().any(Vec::is_empty) {
            return None;
        }
        // The most candidates per dimension whose product stays within PER_DIM (at least 2).
        let per = (2..=PER_DIM)
            .take_while(|&p| p.checked_pow(dims as u32).is_some_and(|x| x <= PER_DIM))
            .last()
            .unwrap_or(2);
        let mut fallback: Option<(f64, Cube)> = None;
        for limit in [per, usize::MAX] {
            let lists: Vec<&[Vec<(u32, i8)>]> = all
                .iter()
                .map(|l| l.get(..limit.min(l.len())).unwrap_or(l))
                .collect();
            let mut best: Option<Cube> = None;
            let mut idx = vec![0usize; dims];
            'combos: loop {
                let sets: Option<Vec<&Vec<(u32, i8)>>> =
                    lists.iter().zip(&idx).map(|(l, &i)| l.get(i)).collect();
                if let Some(cube) = sets.and_then(|s| self.cube(cell, &s, suppressed)) {
                    if cube.protects(levels, tol) {
                        if best.as_ref().is_none_or(|b| cube.cost < b.cost) {
                            best = Some(cube);
                        }
                    } else {
                        let r = cube.reach(levels);
                        if fallback
                            .as_ref()
                            .is_none_or(|(fr, fc)| r > *fr || (r == *fr && cube.cost < fc.cost))
                        {
                            fallback = Some((r, cube));
                        }
                    }
                }
                // The next combination, the last dimension fastest.
                for d in (0..dims).rev() {
                    let (Some(i), Some(l)) = (idx.get_mut(d), lists.get(d)) else {
                        break 'combos;
                    };
                    *i += 1;
                    if *i < l.len() {
                        continue 'combos;
                    }
                    *i = 0;
                }
                break;
            }
            if let Some(b) = best {
                return Some((b, true));
            }
            if all.iter().all(|l| l.len() <= limit) {
                break;
            }
        }
        fallback.map(|(_, c)| (c, false))
    }
}

/// Whether rooms `up` and `down` reach `levels` (with `tol` for rounding), and leave the cell not exactly known.
pub(super) fn reaches(up: f64, down: f64, l: &Levels, tol: f64) -> bool {
    up >= l.upper - tol && down >= l.lower - tol && up + down >= l.sliding - tol && up + down > tol
}

/// The cells of `table` an attacker knows or that must be published (`avoid`, a-priori `protected`, structural
/// zeros), and what the others cost.
pub(super) fn choices(table: &Table, costs: &[f64], avoid: &[u32]) -> Vec<Choice> {
    let mut out: Vec<Choice> = (0..table.len() as u32)
        .map(|c| {
            let cost = costs.get(c as usize).copied().unwrap_or(0.0);
            match table.apriori(c) {
                Some(Apriori::Protected | Apriori::Structural) => Choice::Never,
                Some(Apriori::Safe) => Choice::Reluctant(cost),
                _ => Choice::Cost(cost),
            }
        })
        .collect();
    for &a in avoid {
        if let Some(slot) = out.get_mut(a as usize) {
            *slot = Choice::Never;
        }
    }
    out
}

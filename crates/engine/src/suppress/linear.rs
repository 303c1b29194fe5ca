//! The table's additive relations as equations an attacker can use: every cell that is a total or sub-total
//! along a dimension equals the sum of its parts (the cells one level below it in that dimension, the other
//! coordinates the same), at every level of every hierarchy. Parts absent from the table are zeros everyone
//! knows; a total absent from the table is not published, so its relation is not one.

use crate::Error;
use crate::table::Table;

/// The relations of a table, `head = Σ parts`, stored flat: relation `r`'s parts are
/// `parts[start[r]..start[r + 1]]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Relations {
    pub heads: Vec<u32>,
    /// The dimension each relation runs along.
    pub dims: Vec<u32>,
    start: Vec<usize>,
    parts: Vec<u32>,
}

impl Relations {
    pub fn len(&self) -> usize {
        self.heads.len()
    }
    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }
    /// The parts of relation `r`.
    pub fn parts(&self, r: usize) -> &[u32] {
        match (self.start.get(r), self.start.get(r + 1)) {
            (Some(&a), Some(&b)) => self.parts.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
    /// Relation `r` as `(cell, coefficient)`: the head −1, each part +1 (so the terms add up to zero).
    pub fn terms(&self, r: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.heads
            .get(r)
            .map(|&h| (h, -1.0))
            .into_iter()
            .chain(self.parts(r).iter().map(|&p| (p, 1.0)))
    }
    /// Per cell, the relations it takes part in (as head or part).
    pub fn by_cell(&self, cells: usize) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); cells];
        for r in 0..self.len() {
            for (c, _) in self.terms(r) {
                if let Some(v) = out.get_mut(c as usize) {
                    v.push(r as u32);
                }
            }
        }
        out
    }
}

/// The published statistic of every cell: its value when the table has a value column, its units otherwise
/// (a frequency table). A cell without it cannot be protected: an error naming the cell.
pub fn published(table: &Table) -> Result<Vec<f64>, Error> {
    let magnitude = table.shadow().value.is_some();
    (0..table.len() as u32)
        .map(|cell| {
            let v = if magnitude {
                table.value(cell)
            } else {
                table.n(cell).map(|n| n as f64)
            };
            v.filter(|v| v.is_finite()).ok_or_else(|| {
                Error::Shape(format!(
                    "table `{}`, row {} ({}): the cell has no {}; secondary suppression needs every cell's published figure",
                    table.name,
                    table.row(cell),
                    table.describe(cell),
                    if magnitude { "value" } else { "unit count" }
                ))
            })
        })
        .collect()
}

/// The relations of `table`, each checked to add up in `values` (within rounding, as the `additivity` rule
/// judges it): a table whose totals do not add up is an error naming the total, since an attacker's equations
/// would then describe another table.
pub fn relations(table: &Table, values: &[f64]) -> Result<Relations, Error> {
    // (dimension, group key, cell, whether the cell heads the group): a group's key is its head's.
    let mut found: Vec<(u32, u64, u32, bool)> = Vec::new();
    let width = table.dims().len();
    for (cell, (&key, coords)) in table
        .keys()
        .iter()
        .zip(table.coords().chunks_exact(width.max(1)))
        .enumerate()
    {
        for (d, (dim, &code)) in table.dims().iter().zip(coords).enumerate() {
            if !dim.children(code).is_empty() {
                found.push((d as u32, key, cell as u32, true));
            }
            if let Some(parent) = dim.parent(code) {
                let stride = table.stride(d);
                let group = key - u64::from(code) * stride + u64::from(parent) * stride;
                found.push((d as u32, group, cell as u32, false));
            }
        }
    }
    // Heads first within a group, then its parts in key (codelist) order.
    found.sort_unstable_by_key(|&(d, g, cell, head)| {
        (d, g, !head, table.keys().get(cell as usize).copied())
    });
    let mut rel = Relations::default();
    let mut i = 0;
    while let Some(&(d, g, first, is_head)) = found.get(i) {
        let end = found
            .get(i..)
            .and_then(|rest| rest.iter().position(|f| (f.0, f.1) != (d, g)))
            .map_or(found.len(), |p| i + p);
        if is_head {
            let parts: Vec<u32> = found
                .get(i + 1..end)
                .unwrap_or(&[])
                .iter()
                .map(|f| f.2)
                .collect();
            check_adds_up(table, values, first, d, &parts)?;
            rel.heads.push(first);
            rel.dims.push(d);
            rel.start.push(rel.parts.len());
            rel.parts.extend(parts);
        }
        i = end;
    }
    rel.start.push(rel.parts.len());
    Ok(rel)
}

fn check_adds_up(
    table: &Table,
    values: &[f64],
    head: u32,
    d: u32,
    parts: &[u32],
) -> Result<(), Error> {
    let v = |c: u32| values.get(c as usize).copied().unwrap_or(f64::NAN);
    let sum: f64 = parts.iter().map(|&p| v(p)).sum();
    let abs: f64 = parts.iter().map(|&p| v(p).abs()).sum();
    if crate::rules::adds_up(v(head), sum, abs) {
        return Ok(());
    }
    let dim = table.dims().get(d as usize).map_or("", |x| x.name());
    Err(Error::Shape(format!(
        "table `{}`, row {} ({}): the total is {} but its {} parts along `{dim}` add up to {}; secondary suppression needs a table whose totals add up (check it first: the `additivity` rule names every such total)",
        table.name,
        table.row(head),
        table.describe(head),
        v(head),
        parts.len(),
        sum
    )))
}

/// The lowest value each cell may take in an attacker's eyes: 0 for a table without negative figures, no
/// bound otherwise (or as the policy says).
pub fn lower_bounds(values: &[f64], bounds: super::Bounds) -> f64 {
    match bounds {
        super::Bounds::Nonnegative => 0.0,
        super::Bounds::Free => f64::NEG_INFINITY,
        super::Bounds::Auto => {
            if values.iter().all(|&v| v >= 0.0) {
                0.0
            } else {
                f64::NEG_INFINITY
            }
        }
    }
}

/// Whether cell `a` lies within cell `b` or `b` within `a` (in every dimension one's code is the other's or
/// below it): then the units of the smaller are among the larger's, and an attacker who contributes to the
/// smaller is an insider of the larger, which the larger's own protection levels already allow for (the p %
/// rule's runner-up, the dominance rule's largest units).
pub fn nested(table: &Table, a: u32, b: u32) -> bool {
    let (ca, cb) = (table.cell_coords(a), table.cell_coords(b));
    let within = |x: &[u32], y: &[u32]| {
        table
            .dims()
            .iter()
            .zip(x.iter().zip(y))
            .all(|(dim, (&cx, &cy))| dim.self_and_ancestors(cx).any(|c| c == cy))
    };
    within(ca, cb) || within(cb, ca)
}

//! The `fast` method's other way to protect one primary: the cheapest flow, for a primary whose hypercubes
//! reach for cells far larger than it.
//!
//! # Why
//! A hypercube moves every corner by the same amount, so a primary that must be able to rise by `t` needs
//! corners that can each fall by `t`. A large cell that one unit dominates has a large level: its small
//! neighbours cannot fall that far one by one, and its hypercubes climb to totals many times its size (a bundle
//! of hypercubes splits the amount, but only over cubes that share no corner). A deviation of the table that
//! keeps every relation, spread over as many cells as it needs, is what the audit looks for; the cheapest one
//! is a linear program.
//!
//! # What it computes
//! For primary `p`, a neighbourhood of cells around it (per dimension: its code, the code's ancestors, their
//! siblings, and below each of these that has children the [`CHILDREN`] largest on the line through `p`, down to
//! the leaves), and per side the program
//!
//! ```text
//! minimise    Σ_c w_c·(u_c + d_c)
//! subject to  Σ_c a_rc·(u_c − d_c) = 0     for every relation r (cells outside the neighbourhood stay put)
//!             u_p − d_p = +t (or −t)        the primary moves by its level
//!             0 ≤ d_c ≤ value_c − bound     no cell below the table's lower bound
//! ```
//!
//! with `w_c` the cell's cost divided by `t` (so a cell that carries the whole amount costs its own cost), and
//! almost nothing for a cell already suppressed. The cells that move, on either side, are the flow: suppressing
//! them lets the primary move by its levels whatever else is published, so the flow protects `p` on its own, as a
//! hypercube does. Cells an attacker knows (another singleton's, a cell that must be published) are not in the
//! neighbourhood.
//!
//! # References
//! Kelly, Golden & Assad (1992), "Cell suppression: disclosure protection for sensitive tabular data",
//! Networks 22; Fischetti & Salazar-González (2000), "Models and algorithms for optimizing cell suppression in
//! tabular data with linear constraints", JASA 95(451), §4 (the heuristic that solves one such program per
//! primary and rounds its support).

use super::hypercube::Search;
use super::levels::Levels;
use super::linear::Relations;
use microlp::{ComparisonOp, OptimizationDirection, Problem};

/// Per code with children in a neighbourhood, how many of its children (the largest on the line) are taken.
const CHILDREN: usize = 3;
/// The most cells a neighbourhood may hold: a larger one (a flat table of many codes, or of many dimensions) is
/// left to the hypercubes, as its programs would take seconds each. The 97,336-cell hierarchical table of
/// `bench/tauargus` has neighbourhoods of up to 26³ = 17,576 cells.
const MOST_CELLS: usize = 20_000;

/// A flow that protects one primary: the cells it moves, and what suppressing those not yet suppressed costs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Flow {
    pub cells: Vec<u32>,
    pub cost: f64,
}

/// The cheapest flow that lets primary `cell` move by its `levels` (see the module's documentation), with the
/// choices of `search`; `None` when the neighbourhood holds none, is too large, or the levels ask for no room.
pub(super) fn cheapest(
    search: &Search,
    relations: &Relations,
    by_cell: &[Vec<u32>],
    cell: u32,
    levels: &Levels,
    suppressed: &[bool],
) -> Option<Flow> {
    let value = search
        .values
        .get(cell as usize)
        .copied()
        .unwrap_or(f64::NAN);
    let own_room = value - search.lower_bound;
    // Up by the upper level (or what the sliding level still asks beyond the lower one), down by the lower one.
    let down = levels.lower.min(own_room).max(0.0);
    let up = levels.upper.max(levels.sliding - down).max(0.0);
    // A primary that asks for no room at all still must not be known exactly: the hypercubes see to that.
    if !(up > 0.0 || down > 0.0) {
        return None;
    }
    let cells = neighbourhood(search, cell)?;
    let mut moved: Vec<u32> = Vec::new();
    for t in [up, -down] {
        if t == 0.0 {
            continue;
        }
        let support = solve(search, relations, by_cell, cell, &cells, t, suppressed)?;
        // The cells moving by less than the solver's rounding are left out of the support: the deviation must
        // exist among the others alone, which a second program (of these few cells) checks.
        solve(search, relations, by_cell, cell, &support, t, suppressed)?;
        moved.extend(support);
    }
    moved.sort_unstable();
    moved.dedup();
    let cost = (moved.iter())
        .filter(|&&c| c != cell && suppressed.get(c as usize) != Some(&true))
        .filter_map(|&c| search.price(c))
        .sum();
    Some(Flow { cells: moved, cost })
}

/// The cells around `cell` a flow may move, in cell order: the product of a code set per dimension; `None` when
/// that product holds more than [`MOST_CELLS`] cells.
fn neighbourhood(search: &Search, cell: u32) -> Option<Vec<u32>> {
    let table = search.table;
    let coords = table.cell_coords(cell);
    let &key0 = table.keys().get(cell as usize)?;
    let mut keys: Vec<u64> = vec![key0];
    for (d, (dim, &code)) in table.dims().iter().zip(coords).enumerate() {
        let stride = table.stride(d);
        let line = |x: u32| search.line_value(cell, d, x);
        // The code, its ancestors and their siblings; then below each of them (the ancestors excepted: the
        // code is their way down) the largest children, down to the leaves.
        let ancestors: Vec<u32> = dim.self_and_ancestors(code).collect();
        let mut set: Vec<u32> = ancestors.clone();
        for &a in &ancestors {
            if let Some(parent) = dim.parent(a) {
                set.extend(dim.children(parent).iter().copied());
            }
        }
        let mut next: Vec<u32> = set
            .iter()
            .copied()
            .filter(|x| *x == code || !ancestors.contains(x))
            .collect();
        while !next.is_empty() {
            let mut below = Vec::new();
            for x in next {
                let mut kids = dim.children(x).to_vec();
                kids.sort_by(|&a, &b| line(b).total_cmp(&line(a)).then(a.cmp(&b)));
                // The primary's own children all move with it.
                kids.truncate(if x == code { usize::MAX } else { CHILDREN });
                below.extend(kids);
            }
            set.extend(below.iter().copied());
            next = below;
        }
        set.sort_unstable();
        set.dedup();
        if keys.len().saturating_mul(set.len()) > MOST_CELLS {
            return None;
        }
        keys = keys
            .iter()
            .flat_map(|&k| {
                set.iter()
                    .map(move |&x| k - u64::from(code) * stride + u64::from(x) * stride)
            })
            .collect();
    }
    let mut out: Vec<u32> = keys.into_iter().filter_map(|k| table.find(k)).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The cells the cheapest deviation moving `cell` by `t` moves, among `cells` (sorted); `None` when there is none
/// (or the solver finds none: the hypercubes remain, and the audit judges either).
fn solve(
    search: &Search,
    relations: &Relations,
    by_cell: &[Vec<u32>],
    cell: u32,
    cells: &[u32],
    t: f64,
    suppressed: &[bool],
) -> Option<Vec<u32>> {
    // The primary moves (a support that lost it to rounding is no flow).
    cells.binary_search(&cell).ok()?;
    // The unknowns: the primary and every cell an attacker does not know.
    let free: Vec<u32> = (cells.iter().copied())
        .filter(|&c| c == cell || search.price(c).is_some())
        .collect();
    let mean = {
        let prices: Vec<f64> = free.iter().filter_map(|&c| search.price(c)).collect();
        prices.iter().sum::<f64>() / prices.len().max(1) as f64
    };
    // A cell already suppressed costs a millionth of a mean cell, so that the flow keeps to few of them.
    let weight = |c: u32| {
        let price = if suppressed.get(c as usize) == Some(&true) {
            1e-6 * mean
        } else {
            search.price(c).unwrap_or(0.0)
        };
        price / t.abs()
    };
    let cap = 4.0
        * cells
            .iter()
            .map(|&c| search.value(c).abs())
            .fold(t.abs(), f64::max);
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<_> = free
        .iter()
        .map(|&c| {
            let room = (search.value(c) - search.lower_bound).max(0.0);
            if c == cell {
                let (u, d) = if t > 0.0 { (t, 0.0) } else { (0.0, -t) };
                (p.add_var(0.0, (u, u)), p.add_var(0.0, (d, d)))
            } else {
                let w = weight(c);
                (p.add_var(w, (0.0, cap)), p.add_var(w, (0.0, room.min(cap))))
            }
        })
        .collect();
    let mut seen: Vec<u32> = (free.iter())
        .flat_map(|&c| by_cell.get(c as usize).into_iter().flatten().copied())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    for r in seen {
        let terms: Vec<_> = relations
            .terms(r as usize)
            .filter_map(|(c, coef)| free.binary_search(&c).ok().map(|k| (k, coef)))
            .filter_map(|(k, coef)| vars.get(k).map(|&(u, d)| [(u, coef), (d, -coef)]))
            .flatten()
            .collect();
        p.add_constraint(terms.as_slice(), ComparisonOp::Eq, 0.0);
    }
    let solution = p.solve().ok()?.into_solution().ok()?;
    let edge = 1e-9 * cap;
    Some(
        free.iter()
            .zip(&vars)
            .filter(|&(_, &(u, d))| (solution.var_value(u) - solution.var_value(d)).abs() > edge)
            .map(|(&c, _)| c)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{Prepared, Seeded, prepared};
    use super::super::{Searcher, Setup, audit};

    /// On seeded random tables (hierarchies, zeros, ones, negatives, sparse tables, singletons), under every
    /// cost: every flow found for a primary, with the primaries suppressed, protects it on its own (the audit of
    /// the pattern of only the primary and the flow's cells finds it within its levels); the flow holds the
    /// primary and none of the cells that must be published; its cost is what its cells that are no primary
    /// cost; and
    /// a primary whose levels ask for no room gets no flow.
    #[test]
    fn property_a_flow_protects_its_primary_on_its_own() {
        let (mut flows, mut primaries) = (0, 0);
        for seed in 0..120u64 {
            let prepared = prepared(seed);
            let Prepared {
                seeded: Seeded {
                    t, report, params, ..
                },
                setup,
                costs,
                primary,
                singletons,
            } = &prepared;
            let searcher = prepared.searcher();
            let nothing = vec![false; t.len()];
            for p in (0..t.len() as u32).filter(|&c| setup.levels[c as usize].is_some()) {
                primaries += 1;
                // As in `fast`, where every primary is suppressed from the start.
                let Some(f) = searcher.flow(p, primary) else {
                    continue;
                };
                flows += 1;
                assert!(f.cells.contains(&p), "seed {seed}, cell {p}");
                let mut pattern = nothing.clone();
                for &c in &f.cells {
                    pattern[c as usize] = true;
                    assert_ne!(
                        t.apriori(c),
                        Some(crate::table::Apriori::Protected),
                        "seed {seed}"
                    );
                }
                let paid: f64 = (f.cells.iter())
                    .filter(|&&c| !primary[c as usize])
                    .map(|&c| costs[c as usize])
                    .sum();
                assert!(
                    (f.cost - paid).abs() <= 1e-9 * paid.abs().max(1.0),
                    "seed {seed}, cell {p}: {} against {paid}",
                    f.cost
                );
                // Every other cell is published, singletons included: the attacker knows more than their
                // contributors do.
                let known: Vec<u32> = (singletons.iter().copied())
                    .filter(|&s| pattern[s as usize])
                    .collect();
                let a = audit::audit(&setup.input(t, &pattern, &known)).unwrap();
                assert!(
                    a.failures.iter().all(|x| x.cell != p),
                    "seed {seed}, cell {p} ({}): {:?}",
                    t.describe(p),
                    a.failures.iter().find(|x| x.cell == p)
                );
            }
            // Levels that ask for no room: no flow (the hypercubes keep such a primary from being known exactly).
            let mut bare = Setup::new(t, report, params).unwrap();
            for l in bare.levels.iter_mut().flatten() {
                (l.lower, l.upper, l.sliding) = (0.0, 0.0, 0.0);
            }
            let searcher = Searcher::new(&bare, t, costs, singletons);
            for p in (0..t.len() as u32).filter(|&c| primary[c as usize]) {
                assert_eq!(searcher.flow(p, primary), None, "seed {seed}, cell {p}");
            }
        }
        assert!(
            flows > 400 && 10 * flows >= 9 * primaries,
            "{flows} of {primaries}"
        );
    }
}

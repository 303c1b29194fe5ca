//! The audit: what an attacker who knows every published cell, every relation and the bounds can learn about
//! each suppressed cell, by linear programming, independent of how the pattern was made.
//!
//! For each suppressed cell `i` the exact interval `[min xᵢ, max xᵢ]` over every table that publishes the same
//! figures: the suppressed cells are unknowns `xⱼ = vⱼ + dⱼ`, each relation (`head = Σ parts`) with its published
//! cells moved to the right-hand side is an equation, and each unknown lies within the bounds (≥ 0 for a table
//! without negative figures). Written in the deviations `dⱼ`, every relation is homogeneous (`Σ ±dⱼ = 0`), so the
//! true table (`d = 0`) satisfies it exactly whatever the rounding of the published figures. Cells that share no
//! relation through suppressed cells are independent: each connected component is its own linear program
//! (solved with `microlp`, pure Rust, so the page audits the same way).
//!
//! A primary cell is protected when its interval reaches its lower and upper levels below and above its value
//! and is at least its sliding level wide; an interval of width zero is an exact disclosure. With `singletons`,
//! the audit also takes the place of the only contributor of each suppressed one-unit primary: that contributor
//! knows the cell's value, so every other primary sharing a relation with it is audited again with that value
//! known (the ESSnet/τ-ARGUS singleton problem, decided exactly rather than by a rule of thumb). A primary that
//! holds the singleton's unit (a total over it) or lies within it is left to its own levels, which already
//! allow for an insider (see `linear::nested`).
//!
//! Comparisons allow for the solver's rounding: a reach short of a level by at most `1e-7` plus `1e-9` of the
//! component's largest figure counts as reaching it.

use super::levels::Levels;
use super::linear::Relations;
use crate::Error;
use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use std::sync::Arc;

/// What an attacker can learn of a suppressed cell: the lowest and highest values it can have (infinite where
/// nothing bounds it).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub min: f64,
    pub max: f64,
}

/// How a primary cell falls short of its protection.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shortfall {
    /// The interval is a single value: the cell can be computed exactly.
    Exact,
    /// The interval reaches `reach` above the value where the upper level asks `needed`.
    Upper { needed: f64, reach: f64 },
    /// The interval reaches `reach` below the value where the lower level asks `needed`.
    Lower { needed: f64, reach: f64 },
    /// The interval is `width` wide where the sliding level asks `needed`.
    Sliding { needed: f64, width: f64 },
}

/// A primary cell the pattern does not protect: how, and when the attacker is a singleton's contributor, which
/// cell's contributor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub cell: u32,
    pub shortfall: Shortfall,
    /// The one-unit primary whose contributor, knowing its value, can narrow the interval this far.
    pub known: Option<u32>,
}

/// The audit of a pattern: per suppressed cell (in cell order) its interval, and every primary it leaves short.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    pub intervals: Vec<(u32, Interval)>,
    pub failures: Vec<Failure>,
    /// Connected components of the pattern and linear programs solved, for the report.
    pub components: usize,
    pub programs: usize,
    /// The programs' sizes added up (variables per program): what the audit cost, on every machine alike.
    pub work: usize,
}

impl Audit {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
    /// The interval of `cell`, when it is suppressed.
    pub fn interval(&self, cell: u32) -> Option<Interval> {
        self.intervals
            .binary_search_by_key(&cell, |&(c, _)| c)
            .ok()
            .and_then(|i| self.intervals.get(i))
            .map(|&(_, iv)| iv)
    }
}

/// What the audit is given: the published figures, the relations, the pattern and the levels.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub table: &'a crate::table::Table,
    pub values: &'a [f64],
    pub relations: &'a Relations,
    /// Per cell, the relations it is in.
    pub by_cell: &'a [Vec<u32>],
    pub suppressed: &'a [bool],
    /// Per cell, the levels of a primary (`None` for a cell that is not one).
    pub levels: &'a [Option<Levels>],
    /// The lowest value any cell may take (0, or −∞).
    pub lower_bound: f64,
    /// The one-unit primaries whose contributors the audit takes the place of (empty without `singletons`).
    pub singletons: &'a [u32],
    /// Per cell, whether no one asks for its interval (a linked tables' cover cell that no table publishes: it is
    /// an unknown of the programs, never a question); empty: every suppressed cell is asked about.
    pub unasked: &'a [bool],
}

/// Audits a pattern (see the module's documentation). An error only when the solver cannot decide a program,
/// which leaves the pattern unproven, never passed.
pub fn audit(input: &Input) -> Result<Audit, Error> {
    let mut out = Audit::default();
    // Components are independent programs: natively on the pool's threads, joined in order (the same report
    // whatever the number of cores).
    let parts = crate::rules::run_all(components(input), |component| {
        let mut part = Audit::default();
        audit_component(input, &component, &mut part).map(|()| part)
    });
    for part in parts {
        out.add(part?);
    }
    out.sort();
    Ok(out)
}

impl Audit {
    /// One component's part, joined in order.
    pub(super) fn add(&mut self, part: Audit) {
        self.components += 1;
        self.programs += part.programs;
        self.work += part.work;
        self.intervals.extend(part.intervals);
        self.failures.extend(part.failures);
    }

    /// In cell order, after the parts are joined.
    pub(super) fn sort(&mut self) {
        self.intervals.sort_by_key(|&(c, _)| c);
        self.failures
            .sort_by_key(|f| (f.cell, f.known.map_or(0, |k| u64::from(k) + 1)));
    }
}

/// The suppressed cells grouped by the relations that join them, each group in cell order, groups by their
/// first cell.
pub fn components(input: &Input) -> Vec<Vec<u32>> {
    let n = input.suppressed.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while let Some(&p) = parent.get(x as usize) {
            if p == x {
                break;
            }
            let gp = parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = gp;
        }
        x
    }
    let rel = input.relations;
    for r in 0..rel.len() {
        let mut first: Option<u32> = None;
        for (c, _) in rel.terms(r) {
            if !input.suppressed.get(c as usize).copied().unwrap_or(false) {
                continue;
            }
            match first {
                None => first = Some(c),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, c));
                    if a != b {
                        let (lo, hi) = (a.min(b), a.max(b));
                        if let Some(slot) = parent.get_mut(hi as usize) {
                            *slot = lo;
                        }
                    }
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for c in 0..n as u32 {
        if input.suppressed.get(c as usize).copied().unwrap_or(false) {
            let root = find(&mut parent, c);
            groups.entry(root).or_default().push(c);
        }
    }
    groups.into_values().collect()
}

/// The components (as `components` gives them) that hold a cell of `cells`: what a check of those cells looks
/// at, found from them alone rather than from the whole table.
pub fn components_holding(input: &Input, cells: &[u32]) -> Vec<Vec<u32>> {
    let mut covered = vec![false; input.suppressed.len()];
    let mut out: Vec<Vec<u32>> = Vec::new();
    for &start in cells {
        if input.suppressed.get(start as usize) != Some(&true)
            || covered.get(start as usize) != Some(&false)
        {
            continue;
        }
        let mut part = joined(input, start);
        part.insert(part.partition_point(|&c| c < start), start);
        for &c in &part {
            if let Some(slot) = covered.get_mut(c as usize) {
                *slot = true;
            }
        }
        out.push(part);
    }
    out.sort_unstable_by_key(|p| p.first().copied());
    out
}

/// The allowance for the solver's rounding in a component of `cells` (see the module's documentation).
pub(super) fn tolerance(input: &Input, cells: &[u32]) -> f64 {
    let scale = cells
        .iter()
        .map(|&c| input.values.get(c as usize).copied().unwrap_or(0.0).abs())
        .fold(0.0, f64::max);
    1e-7 + 1e-9 * scale
}

/// The suppressed cells joined through the relations to `cell` (suppressed or not, itself left out), in cell
/// order: the components a change to `cell` alone can change.
pub fn joined(input: &Input, cell: u32) -> Vec<u32> {
    let mut seen = vec![false; input.suppressed.len()];
    let mut todo = vec![cell];
    let mut out = Vec::new();
    while let Some(c) = todo.pop() {
        for &r in input.by_cell.get(c as usize).into_iter().flatten() {
            for (x, _) in input.relations.terms(r as usize) {
                let fresh = input.suppressed.get(x as usize) == Some(&true) && x != cell;
                if let Some(slot) = seen.get_mut(x as usize).filter(|s| fresh && !**s) {
                    *slot = true;
                    out.push(x);
                    todo.push(x);
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// One component's linear programs: every asked cell's interval, every primary's shortfall.
fn audit_component(input: &Input, cells: &[u32], out: &mut Audit) -> Result<(), Error> {
    let tol = tolerance(input, cells);
    let lp = Program::new(input, cells);
    let asked = |cell: u32| input.unasked.get(cell as usize) != Some(&true);
    // The component's singletons, by their place among its unknowns.
    let singles: Vec<usize> = input
        .singletons
        .iter()
        .filter_map(|s| cells.binary_search(s).ok())
        .collect();
    // The classes whose extremes are asked for: those of the cells asked about, and of the singletons next
    // to them (their optima make the witnesses below).
    let mut wanted: Vec<usize> = cells
        .iter()
        .enumerate()
        .filter(|&(_, &c)| asked(c))
        .filter_map(|(k, _)| lp.class_of(k).0)
        .collect();
    for &ks in &singles {
        let near = cells.get(ks).is_some_and(|&s| {
            cells
                .iter()
                .any(|&x| asked(x) && x != s && share_relation(input, s, x))
        });
        if let (true, (Some(c), _)) = (near, lp.class_of(ks)) {
            wanted.push(c);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    // Per class, its two optima (lowest, highest) as points in the classes' space.
    let optima = lp.extremes(&wanted, out)?;
    let mut ranges = vec![(0.0, 0.0); cells.len()];
    for (k, &cell) in cells.iter().enumerate() {
        if !asked(cell) {
            continue;
        }
        let value = input.values.get(cell as usize).copied().unwrap_or(0.0);
        let (class, sign) = lp.class_of(k);
        let (down, up) = match class {
            None => (0.0, 0.0),
            Some(c) => {
                let Some(Some([(lo, _), (hi, _)])) = optima.get(c) else {
                    return Err(lost());
                };
                if sign > 0.0 { (*lo, *hi) } else { (-*hi, -*lo) }
            }
        };
        if let Some(r) = ranges.get_mut(k) {
            *r = (down, up);
        }
        out.intervals.push((
            cell,
            Interval {
                min: value + down,
                max: value + up,
            },
        ));
        if let Some(levels) = input.levels.get(cell as usize).copied().flatten() {
            if let Some(s) = shortfall(&levels, up, down, tol) {
                out.failures.push(Failure {
                    cell,
                    shortfall: s,
                    known: None,
                });
            }
        }
    }
    // The singletons' contributors: each knows its own cell, and looks at the primaries it shares a relation with.
    let mut pool = super::check::Pool::default();
    for &ks in &singles {
        let s = cells.get(ks).copied().unwrap_or(0);
        let (Some(sc), s_sign) = lp.class_of(ks) else {
            continue; // the singleton is exactly known to everyone already: nothing changes
        };
        let Some(Some(own)) = optima.get(sc) else {
            continue;
        };
        // The primaries no mix of the optima proves.
        let mut unproven: Vec<(usize, Levels)> = Vec::new();
        for (k, &cell) in cells.iter().enumerate() {
            let Some(levels) = input.levels.get(cell as usize).copied().flatten() else {
                continue;
            };
            if cell == s
                || !asked(cell)
                || !share_relation(input, s, cell)
                || super::linear::nested(input.table, s, cell)
            {
                continue;
            }
            let (Some(kc), k_sign) = lp.class_of(k) else {
                continue; // exactly known already: its failure is reported above
            };
            let (Some(Some(pts)), Some(&(down, up))) = (optima.get(kc), ranges.get(k)) else {
                continue;
            };
            // A witness: the unknown's own optimum mixed with one of the singleton's optima so that the
            // singleton sits at its value (a mix of feasible tables is feasible). Reaching the levels there
            // proves them; otherwise the program is solved with the singleton known.
            let at =
                |p: &Vec<f64>, class: usize, sign: f64| p.get(class).copied().unwrap_or(0.0) * sign;
            let mix = |point: &Vec<f64>, reach: f64| -> f64 {
                let own_s = at(point, sc, s_sign);
                if own_s.abs() <= tol {
                    return reach;
                }
                own.iter()
                    .filter_map(|(_, o)| {
                        let (os, ok) = (at(o, sc, s_sign), at(o, kc, k_sign));
                        (os * own_s < 0.0).then(|| {
                            let lambda = os / (os - own_s);
                            lambda * reach + (1.0 - lambda) * ok
                        })
                    })
                    .fold(f64::NAN, |a: f64, b| {
                        if a.is_nan() {
                            b
                        } else if reach > 0.0 {
                            a.max(b)
                        } else {
                            a.min(b)
                        }
                    })
            };
            // The optimum that makes the cell highest, and the one that makes it lowest.
            let (hi_pt, lo_pt) = if k_sign > 0.0 {
                (&pts[1].1, &pts[0].1)
            } else {
                (&pts[0].1, &pts[1].1)
            };
            let high = if up.is_finite() {
                mix(hi_pt, up)
            } else {
                f64::NAN
            };
            let low = if down.is_finite() {
                mix(lo_pt, down)
            } else {
                f64::NAN
            };
            if high.is_nan() || low.is_nan() || shortfall(&levels, high, low, tol).is_some() {
                unproven.push((k, levels));
            }
        }
        // The others: witnesses with the singleton known, or their own programs.
        let known = (Some(ks), tol, false);
        for (cell, shortfall) in lp.failures(cells, &unproven, known, &mut pool, out)? {
            out.failures.push(Failure {
                cell,
                shortfall,
                known: Some(s),
            });
        }
    }
    Ok(())
}

/// The extremes an audit solves at once (see `Program::extremes`).
const BATCH: usize = 8;

/// A program's optimum: the class's reach and the point where it is reached.
type Optimum = (f64, Arc<Vec<f64>>);

pub(super) fn lost() -> Error {
    Error::Shape("the audit lost track of a linear program's answer".into())
}

/// Whether cells `a` and `b` are in one relation.
pub fn share_relation(input: &Input, a: u32, b: u32) -> bool {
    let (Some(ra), Some(rb)) = (input.by_cell.get(a as usize), input.by_cell.get(b as usize))
    else {
        return false;
    };
    ra.iter().any(|r| rb.contains(r))
}

/// How a primary with `levels` whose interval reaches `up` above and `down` (≤ 0) below its value falls short.
pub(super) fn shortfall(levels: &Levels, up: f64, down: f64, tol: f64) -> Option<Shortfall> {
    if up - down <= tol {
        return Some(Shortfall::Exact);
    }
    if up < levels.upper - tol {
        return Some(Shortfall::Upper {
            needed: levels.upper,
            reach: up,
        });
    }
    if -down < levels.lower - tol {
        return Some(Shortfall::Lower {
            needed: levels.lower,
            reach: -down,
        });
    }
    if up - down < levels.sliding - tol {
        return Some(Shortfall::Sliding {
            needed: levels.sliding,
            width: up - down,
        });
    }
    None
}

/// A component's program: one unknown deviation `dⱼ` per suppressed cell, one homogeneous equation per relation
/// that has a suppressed cell, reduced before it is solved: an equation of one unknown fixes it at 0 (the cell
/// is exactly known), an equation of two makes one `±` the other (most of a pattern's equations: a hypercube's
/// corners pair up along every line), and so on until nothing changes. What remains is one variable per class
/// of unknowns that move together, with the bounds of all its members, and the equations of three or more;
/// a class's two optima give the interval of every member.
///
/// Each unknown lies between its lower bound and a cap, four times the component's largest figure, beyond any
/// finite optimum of a table without negative figures (a cell is at most any published cell that contains
/// it): an optimum at the cap is reported as unbounded. Without a lower bound the feasible deviations form a
/// linear space, so each is held to `[−1, 1]` and a reach beyond zero means an unbounded one.
pub(super) struct Program {
    /// Per unknown, its class (`None`: fixed at 0) and its sign in it (`dⱼ = sign · z_class`).
    class: Vec<(Option<usize>, f64)>,
    /// Per class, its bounds.
    bounds: Vec<(f64, f64)>,
    cap: f64,
    free: bool,
    /// The equations left, per equation `(class, coefficient)`.
    rows: Vec<Vec<(usize, f64)>>,
}

/// Unknowns joined with signs: `parent[k] = (p, s)` means `d_k = s · d_p`; `zero` marks a root fixed at 0.
struct Signed {
    parent: Vec<(usize, f64)>,
    zero: Vec<bool>,
}

impl Signed {
    fn find(&mut self, k: usize) -> (usize, f64) {
        let (mut root, mut sign) = (k, 1.0);
        for _ in 0..self.parent.len() {
            match self.parent.get(root) {
                Some(&(p, s)) if p != root => {
                    sign *= s;
                    root = p;
                }
                _ => break,
            }
        }
        if let Some(slot) = self.parent.get_mut(k) {
            *slot = (root, sign); // path compression: `k` points at its root directly
        }
        (root, sign)
    }
    /// A row in roots: merged coefficients, zeros and fixed roots left out.
    fn row(&mut self, row: &[(usize, f64)]) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::with_capacity(row.len());
        for &(k, c) in row {
            let (r, s) = self.find(k);
            if self.zero.get(r).copied().unwrap_or(false) {
                continue;
            }
            match out.iter_mut().find(|(x, _)| *x == r) {
                Some(t) => t.1 += c * s,
                None => out.push((r, c * s)),
            }
        }
        out.retain(|&(_, c)| c != 0.0);
        out
    }
}

impl Program {
    pub(super) fn new(input: &Input, cells: &[u32]) -> Self {
        let free = input.lower_bound == f64::NEG_INFINITY;
        let largest = cells
            .iter()
            .map(|&c| input.values.get(c as usize).copied().unwrap_or(0.0).abs())
            .fold(0.0, f64::max);
        let cap = if free { 1.0 } else { 4.0 * largest + 1.0 };
        let lower: Vec<f64> = cells
            .iter()
            .map(|&c| {
                if free {
                    -1.0
                } else {
                    input.lower_bound - input.values.get(c as usize).copied().unwrap_or(0.0)
                }
            })
            .collect();
        let mut seen: Vec<u32> = cells
            .iter()
            .flat_map(|&c| input.by_cell.get(c as usize).into_iter().flatten().copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        let mut rows: Vec<Vec<(usize, f64)>> = seen
            .into_iter()
            .map(|r| {
                input
                    .relations
                    .terms(r as usize)
                    .filter_map(|(c, coef)| cells.binary_search(&c).ok().map(|k| (k, coef)))
                    .collect()
            })
            .collect();
        let n = cells.len();
        let mut u = Signed {
            parent: (0..n).map(|k| (k, 1.0)).collect(),
            zero: vec![false; n],
        };
        loop {
            let mut changed = false;
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                let r = u.row(&row);
                match r.as_slice() {
                    [] => changed = true,
                    [(x, _)] => {
                        if let Some(z) = u.zero.get_mut(*x) {
                            *z = true;
                        }
                        changed = true;
                    }
                    [(a, ca), (b, cb)] if ca.abs() == cb.abs() => {
                        // ca·a + cb·b = 0: a = −(cb/ca)·b.
                        if let Some(slot) = u.parent.get_mut(*a) {
                            *slot = (*b, -cb / ca);
                        }
                        changed = true;
                    }
                    _ => kept.push(r),
                }
            }
            rows = kept;
            if !changed {
                break;
            }
        }
        // Classes: the roots not fixed at 0, numbered in order of their first member.
        let mut number = vec![usize::MAX; n];
        let mut class = Vec::with_capacity(n);
        let mut bounds: Vec<(f64, f64)> = Vec::new();
        for (k, &lo) in lower.iter().enumerate() {
            let (r, s) = u.find(k);
            if u.zero.get(r).copied().unwrap_or(true) {
                class.push((None, s));
                continue;
            }
            let Some(slot) = number.get_mut(r) else {
                class.push((None, s));
                continue;
            };
            if *slot == usize::MAX {
                *slot = bounds.len();
                bounds.push((f64::NEG_INFINITY, f64::INFINITY));
            }
            let c = *slot;
            // d_k = s·z within [lo, cap]: z within [lo, cap] or [−cap, −lo].
            let (zlo, zhi) = if s > 0.0 { (lo, cap) } else { (-cap, -lo) };
            if let Some(b) = bounds.get_mut(c) {
                *b = (b.0.max(zlo), b.1.min(zhi));
            }
            class.push((Some(c), s));
        }
        let rows = rows
            .iter()
            .map(|row| {
                u.row(row)
                    .into_iter()
                    .filter_map(|(r, c)| {
                        number.get(r).filter(|&&x| x != usize::MAX).map(|&x| (x, c))
                    })
                    .collect()
            })
            .collect();
        Program {
            class,
            bounds,
            cap,
            free,
            rows,
        }
    }

    pub(super) fn classes(&self) -> usize {
        self.bounds.len()
    }

    /// Unknown `k`'s class (`None`: fixed at 0) and its sign in it.
    pub(super) fn class_of(&self, k: usize) -> (Option<usize>, f64) {
        self.class.get(k).copied().unwrap_or((None, 1.0))
    }

    /// The largest (or smallest) value of class `k`, with class `known` held at 0, and the optimum as a point
    /// of the classes; infinite where nothing bounds it.
    pub(super) fn extreme(
        &self,
        k: usize,
        direction: OptimizationDirection,
        known: Option<usize>,
    ) -> Result<Optimum, Error> {
        let point = self.solve(|j| if j == k { 1.0 } else { 0.0 }, direction, known)?;
        let x = point.get(k).copied().unwrap_or(0.0);
        Ok((self.reach(x, direction), Arc::new(point)))
    }

    /// The optimum of `Σ objective(j)·z_j` as a point of the classes.
    pub(super) fn solve(
        &self,
        objective: impl Fn(usize) -> f64,
        direction: OptimizationDirection,
        known: Option<usize>,
    ) -> Result<Vec<f64>, Error> {
        let (p, vars) = self.problem(objective, direction, known);
        Self::optimum(&p, &vars)
    }

    /// The program with objective `Σ objective(j)·z_j` and class `known` held at 0, and each class's two parts.
    fn problem(
        &self,
        objective: impl Fn(usize) -> f64,
        direction: OptimizationDirection,
        known: Option<usize>,
    ) -> (Problem, Vec<(Variable, Variable)>) {
        // Each class as the difference of two parts that start at 0, so the true table (all deviations 0) is
        // where the solver starts: a feasible point on every bound it needs, without a first phase.
        let mut p = Problem::new(direction);
        let vars: Vec<_> = self
            .bounds
            .iter()
            .enumerate()
            .map(|(j, &(lo, hi))| {
                let (lo, hi) = if Some(j) == known {
                    (0.0, 0.0)
                } else {
                    (lo, hi)
                };
                let obj = objective(j);
                (
                    p.add_var(obj, (0.0, hi.max(0.0))),
                    p.add_var(-obj, (0.0, (-lo).max(0.0))),
                )
            })
            .collect();
        for row in &self.rows {
            let terms: Vec<_> = row
                .iter()
                .filter_map(|&(j, c)| vars.get(j).map(|&(a, b)| [(a, c), (b, -c)]))
                .flatten()
                .collect();
            p.add_constraint(terms.as_slice(), ComparisonOp::Eq, 0.0);
        }
        (p, vars)
    }

    /// The optimum of a program of `problem`, as a point of the classes.
    fn optimum(p: &Problem, vars: &[(Variable, Variable)]) -> Result<Vec<f64>, Error> {
        // Without the solver's presolve: the program is reduced already (classes) and starts at a feasible
        // point, so presolving costs more than it saves (the same answers, a sixth less time on a 20 × 20 table).
        let mut options = microlp::SolveOptions::default();
        options.presolve = false;
        let s = settle(p.solve_with(options))?;
        Ok(vars
            .iter()
            .map(|&(a, b)| s.var_value(a) - s.var_value(b))
            .collect())
    }

    /// A class's extreme value `x` as a reach: infinite at the cap (or, without bounds, beyond 0).
    fn reach(&self, x: f64, direction: OptimizationDirection) -> f64 {
        let sign = match direction {
            OptimizationDirection::Maximize => 1.0,
            OptimizationDirection::Minimize => -1.0,
        };
        let edge = 1e-9 * self.cap.max(1.0);
        if self.free {
            if x * sign > edge {
                sign * f64::INFINITY
            } else {
                0.0
            }
        } else if x * sign >= self.cap - edge {
            sign * f64::INFINITY
        } else {
            x
        }
    }

    /// Both extremes of every class in `wanted`: first, when they are more than a few, two programs that push
    /// every class down and every class up at once (a class that reaches its bound there has its extreme,
    /// exactly: nothing lies beyond a bound), then one program per extreme still open, natively on the pool's
    /// threads.
    fn extremes(
        &self,
        wanted: &[usize],
        out: &mut Audit,
    ) -> Result<Vec<Option<[Optimum; 2]>>, Error> {
        use OptimizationDirection::{Maximize, Minimize};
        let mut found: Vec<[Option<Optimum>; 2]> = vec![[None, None]; self.classes()];
        let edge = 1e-9 * self.cap.max(1.0);
        if wanted.len() > 8 {
            for (side, direction) in [(0usize, Minimize), (1, Maximize)] {
                let point = Arc::new(self.solve(
                    |j| {
                        if wanted.binary_search(&j).is_ok() {
                            1.0
                        } else {
                            0.0
                        }
                    },
                    direction,
                    None,
                )?);
                out.programs += 1;
                out.work += self.classes();
                for &j in wanted {
                    let (Some(&z), Some(&(lo, hi)), Some(slot)) =
                        (point.get(j), self.bounds.get(j), found.get_mut(j))
                    else {
                        continue;
                    };
                    let bound = if side == 0 { lo } else { hi };
                    if (z - bound).abs() <= edge {
                        if let Some(x) = slot.get_mut(side) {
                            *x = Some((self.reach(bound, direction), point.clone()));
                        }
                    }
                }
            }
        }
        let mut jobs: std::collections::VecDeque<(usize, usize)> = wanted
            .iter()
            .flat_map(|&j| [(j, 0usize), (j, 1)])
            .filter(|&(j, side)| {
                found
                    .get(j)
                    .and_then(|f| f.get(side))
                    .is_some_and(Option::is_none)
            })
            .collect();
        // A few at a time (natively on the pool's threads; as many whatever the number of cores, so the same
        // programs are solved on every machine): a point that puts another class at its bound gives that
        // extreme too.
        while !jobs.is_empty() {
            let batch: Vec<(usize, usize)> = jobs.drain(..jobs.len().min(BATCH)).collect();
            out.programs += batch.len();
            out.work += batch.len() * self.classes();
            let solved = crate::rules::run_all(batch.clone(), |(j, side)| {
                self.extreme(j, if side == 0 { Minimize } else { Maximize }, None)
            });
            for ((j, side), r) in batch.into_iter().zip(solved) {
                let r = r?;
                jobs.retain(|&(i, other)| {
                    let (Some(&z), Some(&(lo, hi))) = (r.1.get(i), self.bounds.get(i)) else {
                        return true;
                    };
                    let (bound, direction) = if other == 0 {
                        (lo, Minimize)
                    } else {
                        (hi, Maximize)
                    };
                    if (z - bound).abs() > edge {
                        return true;
                    }
                    if let Some(x) = found.get_mut(i).and_then(|f| f.get_mut(other)) {
                        *x = Some((self.reach(bound, direction), r.1.clone()));
                    }
                    false
                });
                if let Some(x) = found.get_mut(j).and_then(|f| f.get_mut(side)) {
                    *x = Some(r);
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|[a, b]| match (a, b) {
                (Some(a), Some(b)) => Some([a, b]),
                _ => None,
            })
            .collect())
    }
}

/// A solver's answer as a solution, or the error that leaves the pattern unproven.
fn settle(
    outcome: Result<microlp::SolveOutcome, microlp::Error>,
) -> Result<microlp::Solution, Error> {
    match outcome.map(|o| o.into_solution()) {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(Error::Shape(format!(
            "the audit's linear program stopped before an answer ({:?}); the pattern is not proven safe",
            e.termination_reason()
        ))),
        Err(e) => Err(Error::Shape(format!(
            "the audit's linear program could not be solved ({e}); the pattern is not proven safe"
        ))),
    }
}

//! Whether a pattern keeps its primaries protected: the question a method asks, again and again, while it builds
//! a pattern, answered with the audit's own failures for a fraction of its programs.
//!
//! A feasible table (a point of the audit's programs: every published figure and relation kept, every cell
//! within its bounds) that moves a primary as far as its level asks is a witness that the primary keeps that
//! side of its protection. One program's point is a witness for many primaries, since a pattern's cells move
//! together; a witness stays one while the pattern suppresses more, or publishes a cell it leaves in place,
//! and two that move a published cell in opposite directions mix into one that does not. Only a primary
//! without a witness gets its exact extremes (`audit`'s programs), so every failure `check` reports is one the
//! audit reports, with the same numbers, and, asked for all ([`Wanted::All`]), it reports every one.

use super::audit::{
    Audit, Failure, Input, Program, Shortfall, components, lost, share_relation, shortfall,
    tolerance,
};
use super::levels::Levels;
use crate::Error;
use microlp::OptimizationDirection;
use std::sync::Arc;

/// Whether the primaries in `only` keep their protection, in the components that hold them: what a change to a
/// pattern can have broken, when every other primary keeps a witness of its own. The failures are the audit's
/// own, found exactly; no intervals. A primary is proven by witnesses: tables that publish the same figures and
/// put it as far above and below its value as its levels ask. A witness of an earlier check in `witnesses`
/// serves again, and one program finds the witnesses of many primaries at once (see `Program::failures`):
/// only a primary left without one gets its own programs.
pub fn check(
    input: &Input,
    only: &[u32],
    witnesses: &mut Witnesses,
    wanted: Wanted,
) -> Result<Audit, Error> {
    let first = wanted == Wanted::First;
    let mut only = only.to_vec();
    only.sort_unstable();
    let mut parts: Vec<Vec<u32>> = components(input);
    parts.retain(|c| c.iter().any(|x| only.binary_search(x).is_ok()));
    let known: &Witnesses = witnesses;
    let parts = crate::rules::run_all(parts, |component| {
        let mut part = Audit::default();
        check_component(input, &component, &only, (known, first), &mut part)
            .map(|found| (part, found))
    });
    let mut out = Audit::default();
    let mut found = Vec::new();
    for part in parts {
        let (part, points) = part?;
        out.add(part);
        found.extend(points);
    }
    out.sort();
    witnesses.points.extend(found.into_iter().map(Arc::from));
    Ok(out)
}

/// Which failures `check` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Every primary's.
    All,
    /// Whether there is one: the search stops at the first in each component.
    First,
}

/// Witness tables that `check` found, kept for the next check of the same pattern or of one that publishes more
/// of it: each a deviation per suppressed cell (the cells it moves, in cell order), and each feasible for the
/// pattern as it stands (it moves no published cell).
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    points: Vec<Arc<[(u32, f64)]>>,
}

impl Witnesses {
    /// The most kept: the newest.
    const KEPT: usize = 2048;

    /// The pattern publishes `cell`: the witnesses that move it are no longer tables of it, but two that move
    /// it in opposite directions mix into one that does not.
    pub fn publish(&mut self, cell: u32) {
        let at = |p: &Arc<[(u32, f64)]>| {
            p.binary_search_by_key(&cell, |&(c, _)| c)
                .ok()
                .and_then(|i| p.get(i))
                .map_or(0.0, |&(_, d)| d)
        };
        let over = self.points.len().saturating_sub(Self::KEPT);
        self.points.drain(..over);
        let (moving, still): (Vec<_>, Vec<_>) = std::mem::take(&mut self.points)
            .into_iter()
            .partition(|p| at(p) != 0.0);
        self.points = still;
        // Two that move it in opposite directions mix into one that does not (a mix of tables is a table):
        // each with the one that moves it furthest the other way, so that the mix stays close to it.
        let highest = moving.iter().max_by(|a, b| at(a).total_cmp(&at(b)));
        let lowest = moving.iter().min_by(|a, b| at(a).total_cmp(&at(b)));
        if let (Some(high), Some(low)) = (highest, lowest) {
            if at(high) > 0.0 && at(low) < 0.0 {
                let mixes: Vec<_> = (moving.iter())
                    .map(|p| {
                        let q = if at(p) > 0.0 { low } else { high };
                        mix(p, q, cell).into()
                    })
                    .collect();
                self.points.extend(mixes);
            }
        }
    }

    /// How many there are: the witnesses a later `check` finds come after this many.
    pub fn count(&self) -> usize {
        self.points.len()
    }

    /// The witnesses of a pattern that suppresses more than the one of `self` (a check's of a trial that
    /// failed, whose cell is suppressed again): those from position `from` of `trial` join `self`.
    pub fn keep_new(&mut self, trial: &Witnesses, from: usize) {
        self.points.extend(trial.points.iter().skip(from).cloned());
    }

    /// Those that are tables of the pattern `suppressed` (they move none of its published cells), for a
    /// `check` of it; `keep_new` takes back what that check finds.
    pub fn of_pattern(&self, suppressed: &[bool]) -> Witnesses {
        let over = self.points.len().saturating_sub(Self::KEPT);
        Witnesses {
            points: (self.points.iter().skip(over))
                .filter(|p| {
                    p.iter()
                        .all(|&(c, _)| suppressed.get(c as usize) == Some(&true))
                })
                .cloned()
                .collect(),
        }
    }

    /// The witnesses that move a cell of `cells` (a component's unknowns), as points of `lp`'s classes.
    fn points_of(&self, cells: &[u32], lp: &Program) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        for p in &self.points {
            let mut z = vec![0.0; lp.classes()];
            let mut moves = false;
            for &(cell, d) in p.iter() {
                let Ok(k) = cells.binary_search(&cell) else {
                    continue;
                };
                if let (Some(c), sign) = lp.class_of(k) {
                    if let Some(slot) = z.get_mut(c) {
                        *slot = d * sign;
                        moves = true;
                    }
                }
            }
            if moves {
                out.push(z);
            }
        }
        out
    }
}

/// The mix of witnesses `p` and `q` (which move `cell` in opposite directions) that leaves `cell` where it is.
fn mix(p: &[(u32, f64)], q: &[(u32, f64)], cell: u32) -> Vec<(u32, f64)> {
    let at = |x: &[(u32, f64)]| {
        x.binary_search_by_key(&cell, |&(c, _)| c)
            .ok()
            .and_then(|i| x.get(i))
            .map_or(0.0, |&(_, d)| d)
    };
    let (pc, qc) = (at(p), at(q));
    let lambda = qc / (qc - pc); // λ·pc + (1 − λ)·qc = 0
    let mut out = Vec::with_capacity(p.len().max(q.len()));
    let (mut i, mut j) = (0, 0);
    loop {
        let (c, d) = match (p.get(i), q.get(j)) {
            (Some(&(a, x)), Some(&(b, y))) if a == b => {
                (i, j) = (i + 1, j + 1);
                (a, lambda * x + (1.0 - lambda) * y)
            }
            (Some(&(a, x)), Some(&(b, _))) if a < b => {
                i += 1;
                (a, lambda * x)
            }
            (Some(&(a, x)), None) => {
                i += 1;
                (a, lambda * x)
            }
            (_, Some(&(b, y))) => {
                j += 1;
                (b, (1.0 - lambda) * y)
            }
            (None, None) => break,
        };
        if c != cell && d != 0.0 {
            out.push((c, d));
        }
    }
    out
}

/// One component's check of the primaries in `only` (see `check`).
fn check_component(
    input: &Input,
    cells: &[u32],
    only: &[u32],
    (witnesses, first): (&Witnesses, bool),
    out: &mut Audit,
) -> Result<Vec<Vec<(u32, f64)>>, Error> {
    let tol = tolerance(input, cells);
    let lp = Program::new(input, cells);
    let primaries: Vec<(usize, Levels)> = (cells.iter().enumerate())
        .filter(|&(_, c)| only.binary_search(c).is_ok())
        .filter(|&(_, &c)| input.unasked.get(c as usize) != Some(&true))
        .filter_map(|(k, &c)| {
            input
                .levels
                .get(c as usize)
                .copied()
                .flatten()
                .map(|l| (k, l))
        })
        .collect();
    // The witnesses so far, then the points of the component's programs.
    let mut pool: Vec<Vec<f64>> = witnesses.points_of(cells, &lp);
    let earlier = pool.len();
    // Against everyone: the primaries without a witness get their extremes, and their shortfalls are the audit's.
    for (cell, shortfall) in lp.failures(cells, &primaries, (None, tol, first), &mut pool, out)? {
        out.failures.push(Failure {
            cell,
            shortfall,
            known: None,
        });
    }
    // Against each singleton's contributor, who knows its cell: the primaries it shares a relation with.
    for s in input.singletons {
        if first && !out.failures.is_empty() {
            break;
        }
        let Ok(ks) = cells.binary_search(s) else {
            continue;
        };
        let (Some(sc), _) = lp.class_of(ks) else {
            continue; // the singleton is exactly known to everyone already: nothing changes
        };
        let near: Vec<(usize, Levels)> = (primaries.iter().copied())
            .filter(|&(k, _)| {
                cells.get(k).is_some_and(|&cell| {
                    cell != *s
                        && share_relation(input, *s, cell)
                        && !super::linear::nested(input.table, *s, cell)
                })
            })
            // A primary exactly known already has its failure above.
            .filter(|&(k, _)| lp.class_of(k).0.is_some())
            .collect();
        let known = (Some(sc), tol, first);
        for (cell, shortfall) in lp.failures(cells, &near, known, &mut pool, out)? {
            out.failures.push(Failure {
                cell,
                shortfall,
                known: Some(*s),
            });
        }
    }
    // The new points as witnesses of the pattern: per cell its deviation.
    Ok(pool
        .iter()
        .skip(earlier)
        .map(|z| {
            (cells.iter().enumerate())
                .filter_map(|(k, &cell)| match lp.class_of(k) {
                    (Some(c), sign) => z.get(c).map(|&x| (cell, x * sign)),
                    (None, _) => None,
                })
                .filter(|&(_, d)| d != 0.0)
                .collect()
        })
        .collect())
}

/// The reach a witness must show on each side of a primary with `levels`, so that two witnesses (one above,
/// one below) prove every level `shortfall` asks for without its allowance `tol`: `(up, down)`.
fn needs(levels: &Levels, tol: f64) -> (f64, f64) {
    let (up, down) = (levels.upper.max(0.0), levels.lower.max(0.0));
    // Wide enough for the sliding level, and more than the allowance (not exact).
    let width = levels.sliding.max(3.0 * tol);
    (up.max(width - down), down)
}

impl Program {
    /// The failures of the primaries of `wanted` (by their place among `cells`' unknowns), with class `known`
    /// held at 0; with `first`, the first one only. A primary is proven by witnesses: tables that publish the
    /// same figures and put it, on each side, at least as far from its value as its levels ask (`needs`).
    /// Witnesses come from `pool`, the points of this component's programs so far (two of them mixed so that
    /// `known` sits at 0: a mix of feasible tables is feasible), then from new programs: the first side still
    /// open is pushed as far as it goes, and the point reached proves every side it meets (a pattern's
    /// primaries move together, so one program proves many). A primary whose own program falls short of a side
    /// gets its exact extremes, and its shortfall is the audit's.
    pub(super) fn failures(
        &self,
        cells: &[u32],
        wanted: &[(usize, Levels)],
        (known, tol, first): (Option<usize>, f64, bool),
        pool: &mut Vec<Vec<f64>>,
        out: &mut Audit,
    ) -> Result<Vec<(u32, Shortfall)>, Error> {
        let mut found = Vec::new();
        // Per side still open: its primary's place in `wanted`, its class, the class's sign for that side, and
        // the reach needed.
        type Side = (usize, usize, f64, f64);
        let mut open: Vec<Side> = Vec::new();
        for (i, &(k, levels)) in wanted.iter().enumerate() {
            let (up, down) = needs(&levels, tol);
            let (class, sign) = self.class_of(k);
            let Some(class) = class.filter(|&c| Some(c) != known) else {
                // Exactly known: no witness can move it.
                if let Some(sf) = shortfall(&levels, 0.0, 0.0, tol).zip(cells.get(k)) {
                    found.push((*sf.1, sf.0));
                    if first {
                        return Ok(found);
                    }
                }
                continue;
            };
            for (side, need) in [(sign, up), (-sign, down)] {
                if need > 0.0 {
                    open.push((i, class, side, need));
                }
            }
        }
        let at = |p: &Vec<f64>, j: usize| p.get(j).copied().unwrap_or(0.0);
        // Whether a point of `points` (or, with `known`, a mix of two) meets a side.
        let met = |points: &[Vec<f64>], &(_, class, side, need): &Side| -> bool {
            let Some(s) = known else {
                return points.iter().any(|p| side * at(p, class) >= need);
            };
            let reach = |p: &Vec<f64>, q: &Vec<f64>| {
                // The mix λ·p + (1 − λ)·q with `known` at 0.
                let (ps, qs) = (at(p, s), at(q, s));
                let lambda = -qs / (ps - qs);
                side * (lambda * at(p, class) + (1.0 - lambda) * at(q, class))
            };
            points
                .iter()
                .any(|p| at(p, s) == 0.0 && side * at(p, class) >= need)
                || points.iter().filter(|p| at(p, s) > 0.0).any(|p| {
                    (points.iter())
                        .filter(|q| at(q, s) < 0.0)
                        .any(|q| reach(p, q) >= need)
                })
        };
        open.retain(|o| !met(pool, o));
        while let Some(&seed) = open.first() {
            let (i, class, side, _) = seed;
            let point = self.solve(
                |j| if j == class { side } else { 0.0 },
                OptimizationDirection::Maximize,
                known,
            )?;
            out.programs += 1;
            out.work += self.classes();
            let fresh = [point];
            open.retain(|o| !met(&fresh, o));
            let [point] = fresh;
            pool.push(point);
            if open.first() != Some(&seed) {
                continue;
            }
            // The seed's own extreme falls short of it: its primary's exact extremes decide.
            open.retain(|o| o.0 != i);
            let Some(&(k, levels)) = wanted.get(i) else {
                return Err(lost());
            };
            let (down, up) = self.extremes_of(k, known, out)?;
            if let Some(sf) = shortfall(&levels, up, down, tol).zip(cells.get(k)) {
                found.push((*sf.1, sf.0));
                if first {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// Unknown `k`'s lowest and highest deviation, with class `known` held at 0: `(down, up)`.
    fn extremes_of(
        &self,
        k: usize,
        known: Option<usize>,
        out: &mut Audit,
    ) -> Result<(f64, f64), Error> {
        use OptimizationDirection::{Maximize, Minimize};
        let (Some(c), sign) = self.class_of(k) else {
            return Ok((0.0, 0.0));
        };
        let (lo, _) = self.extreme(c, Minimize, known)?;
        let (hi, _) = self.extreme(c, Maximize, known)?;
        out.programs += 2;
        out.work += 2 * self.classes();
        Ok(if sign > 0.0 { (lo, hi) } else { (-hi, -lo) })
    }
}

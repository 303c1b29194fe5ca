//! Whether a pattern keeps its primaries protected: the question a method asks, again and again, while it builds
//! a pattern, answered with the audit's own failures for a fraction of its programs.
//!
//! A feasible table (a point of the audit's programs: every published figure and relation kept, every cell
//! within its bounds) that moves a primary as far as its level asks is a witness that the primary keeps that
//! side of its protection. One program's point is a witness for many primaries, since a pattern's cells move
//! together; a witness stays one while the pattern suppresses more, or publishes a cell it leaves in place,
//! and two that move a published cell in opposite directions mix into one that does not. Only a primary
//! without a witness gets its exact extremes (`audit`'s programs), so, asked for all ([`Wanted::All`]), `check`
//! reports the audit's failures, every one and with the same numbers; asked whether there is one
//! ([`Wanted::First`]), it answers as the audit would.

use super::audit::{
    Audit, Failure, Input, Program, Shortfall, components_holding, lost, share_relation, shortfall,
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
/// serves again (the one that proved a side last is tried first), and one program finds the witnesses of many
/// primaries at once (see `Program::failures`): only a primary left without one gets its own programs.
pub fn check(
    input: &Input,
    only: &[u32],
    witnesses: &mut Witnesses,
    wanted: Wanted,
) -> Result<Audit, Error> {
    let first = wanted == Wanted::First;
    let mut only = only.to_vec();
    only.sort_unstable();
    let parts = components_holding(input, &only);
    let known: &Witnesses = witnesses;
    let parts = crate::rules::run_all(parts, |component| {
        let mut part = Audit::default();
        let mut pool = known.pool();
        check_component(input, &component, &only, first, &mut pool, &mut part)
            .map(|()| (part, pool.fresh(), pool.proved))
    });
    let mut out = Audit::default();
    let (mut found, mut proved) = (Vec::new(), Vec::new());
    for part in parts {
        let (part, points, proofs) = part?;
        out.add(part);
        found.extend(points);
        proved.extend(proofs);
    }
    out.sort();
    witnesses.points.extend(found);
    witnesses.proofs.extend(proved);
    Ok(out)
}

/// Whether publishing `cell` (published in `input`) lets a primary of `only` (sorted) be computed exactly
/// through relations left with one suppressed cell each, in a chain from `cell`: a failure `check` finds too,
/// found without a program. `false` says nothing: the check decides.
pub fn computed_exactly(input: &Input, cell: u32, only: &[u32]) -> bool {
    let mut known = std::collections::BTreeSet::from([cell]);
    let mut todo = vec![cell];
    while let Some(c) = todo.pop() {
        for &r in input.by_cell.get(c as usize).into_iter().flatten() {
            let mut unknown = (input.relations.terms(r as usize)).filter(|&(x, _)| {
                input.suppressed.get(x as usize) == Some(&true) && !known.contains(&x)
            });
            let (Some((x, _)), None) = (unknown.next(), unknown.next()) else {
                continue;
            };
            let primary = input.levels.get(x as usize).is_some_and(Option::is_some)
                && input.unasked.get(x as usize) != Some(&true);
            if primary && only.binary_search(&x).is_ok() {
                return true;
            }
            known.insert(x);
            todo.push(x);
        }
    }
    false
}

/// Which failures `check` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// Every primary's.
    All,
    /// Whether there is one: the search stops at the first in each component, and that failure may be named
    /// by the side found short rather than as the audit names it (an upper level missed where the audit sees
    /// an exact disclosure).
    First,
}

/// A feasible table as its deviation from the true one: per cell it moves (in cell order), by how much.
type Witness = Arc<[(u32, f64)]>;

/// `witness`'s deviation at `cell`.
fn deviation(witness: &[(u32, f64)], cell: u32) -> f64 {
    witness
        .binary_search_by_key(&cell, |&(c, _)| c)
        .ok()
        .and_then(|i| witness.get(i))
        .map_or(0.0, |&(_, d)| d)
}

/// One side of a primary's protection, against everyone or against one singleton's contributor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Side {
    cell: u32,
    up: bool,
    /// The singleton whose contributor knows its cell.
    known: Option<u32>,
}

/// Witness tables that `check` found, kept for the next check of the same pattern or of one that publishes more
/// of it: each feasible for the pattern as it stands (it moves no published cell).
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    points: Vec<Witness>,
    /// Per side, the witness that proved it last (which the next check tries first): a point of `points`, or
    /// a mix of two that leaves a singleton in place.
    proofs: std::collections::BTreeMap<Side, Witness>,
}

impl Witnesses {
    /// The most kept: the newest.
    const KEPT: usize = 2048;

    /// The pattern publishes `cell`: the witnesses that move it are no longer tables of it, but two that move
    /// it in opposite directions mix into one that does not.
    pub fn publish(&mut self, cell: u32) {
        let at = |p: &Witness| deviation(p, cell);
        self.proofs.retain(|_, p| at(p) == 0.0);
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
    /// failed, whose cell is suppressed again): those from position `from` of `trial` join `self`, and its
    /// proofs where `self` has none.
    pub fn keep_new(&mut self, trial: &Witnesses, from: usize) {
        self.points.extend(trial.points.iter().skip(from).cloned());
        for (side, p) in &trial.proofs {
            self.proofs.entry(*side).or_insert_with(|| p.clone());
        }
    }

    /// Those that are tables of the pattern `suppressed` (they move none of its published cells), for a
    /// `check` of it; `keep_new` takes back what that check finds.
    pub fn of_pattern(&self, suppressed: &[bool]) -> Witnesses {
        let of = |p: &Witness| {
            p.iter()
                .all(|&(c, _)| suppressed.get(c as usize) == Some(&true))
        };
        let over = self.points.len().saturating_sub(Self::KEPT);
        Witnesses {
            points: (self.points.iter().skip(over))
                .filter(|p| of(p))
                .cloned()
                .collect(),
            proofs: (self.proofs.iter())
                .filter(|(_, p)| of(p))
                .map(|(side, p)| (*side, p.clone()))
                .collect(),
        }
    }

    /// The pool a component's check starts from: every witness (one that moves no cell of the component
    /// proves none of its sides, and costs a lookup), and the proofs.
    fn pool(&self) -> Pool<'_> {
        Pool {
            points: self.points.clone(),
            from: self.points.len(),
            proofs: Some(&self.proofs),
            proved: Vec::new(),
        }
    }
}

/// The points a component's check proves sides with: the witnesses kept from earlier checks, then the optima
/// of this check's programs; the proofs the check starts from, and those it finds.
#[derive(Debug, Default)]
pub(super) struct Pool<'w> {
    points: Vec<Witness>,
    /// Where this check's own points start.
    from: usize,
    proofs: Option<&'w std::collections::BTreeMap<Side, Witness>>,
    proved: Vec<(Side, Witness)>,
}

impl Pool<'_> {
    /// The points this check's programs found.
    fn fresh(&self) -> Vec<Witness> {
        self.points.iter().skip(self.from).cloned().collect()
    }
}

/// The mix of witnesses `p` and `q` (which move `cell` in opposite directions) that leaves `cell` where it is.
fn mix(p: &[(u32, f64)], q: &[(u32, f64)], cell: u32) -> Vec<(u32, f64)> {
    let (pc, qc) = (deviation(p, cell), deviation(q, cell));
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

/// One component's check of the primaries in `only` (see `check`); the points and proofs it finds join `pool`.
fn check_component(
    input: &Input,
    cells: &[u32],
    only: &[u32],
    first: bool,
    pool: &mut Pool,
    out: &mut Audit,
) -> Result<(), Error> {
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
    // Against everyone: the primaries without a witness get their extremes, and their shortfalls are the audit's.
    for (cell, shortfall) in lp.failures(cells, &primaries, (None, tol, first), pool, out)? {
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
        if lp.class_of(ks).0.is_none() {
            continue; // the singleton is exactly known to everyone already: nothing changes
        }
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
        let known = (Some(ks), tol, first);
        for (cell, shortfall) in lp.failures(cells, &near, known, pool, out)? {
            out.failures.push(Failure {
                cell,
                shortfall,
                known: Some(*s),
            });
        }
    }
    Ok(())
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
    /// The failures of the primaries of `wanted` (by their place among `cells`, the component's unknowns),
    /// with unknown `known` (a singleton, whose contributor knows it) held at its value; with `first`, the
    /// first one only. A primary is proven by witnesses: tables that publish the same figures and put it, on
    /// each side, at least as far from its value as its levels ask (`needs`). Witnesses come from `pool`: first
    /// the one that proved the side last, then the witnesses of earlier checks and the points of this
    /// component's programs so far (two of them mixed so that `known` sits at its value: a mix of feasible
    /// tables is feasible), then new programs: the first side still open is pushed as far as it goes, and the
    /// point reached proves every side it meets (a pattern's primaries move together, so one program proves
    /// many). A primary whose own program falls short of a side gets its exact extremes, and its shortfall is
    /// the audit's.
    pub(super) fn failures(
        &self,
        cells: &[u32],
        wanted: &[(usize, Levels)],
        (known, tol, first): (Option<usize>, f64, bool),
        pool: &mut Pool,
        out: &mut Audit,
    ) -> Result<Vec<(u32, Shortfall)>, Error> {
        let mut found = Vec::new();
        let known_class = known.and_then(|s| self.class_of(s).0);
        let known_cell = known.and_then(|s| cells.get(s).copied());
        // Per side still open: its primary's place in `wanted`, its unknown, the direction (1 up, −1 down),
        // the reach needed, and the side.
        type Open = (usize, usize, f64, f64, Side);
        let mut open: Vec<Open> = Vec::new();
        for (i, &(k, levels)) in wanted.iter().enumerate() {
            let (up, down) = needs(&levels, tol);
            let class = self.class_of(k).0;
            let Some(&cell) = cells.get(k) else {
                return Err(lost());
            };
            if class.is_none() || (known.is_some() && class == known_class) {
                // Exactly known: no witness can move it.
                if let Some(sf) = shortfall(&levels, 0.0, 0.0, tol) {
                    found.push((cell, sf));
                    if first {
                        return Ok(found);
                    }
                }
                continue;
            }
            for (direction, need) in [(1.0, up), (-1.0, down)] {
                let side = Side {
                    cell,
                    up: direction > 0.0,
                    known: known_cell,
                };
                if need > 0.0 {
                    open.push((i, k, direction, need, side));
                }
            }
        }
        // The point that meets a side: a point of `points` that leaves `known` in place, or a mix of two.
        let proof =
            |points: &[Witness], &(_, _, direction, need, side): &Open| -> Option<Witness> {
                let reach = |p: &Witness| direction * deviation(p, side.cell);
                let Some(s) = known_cell else {
                    return points.iter().find(|p| reach(p) >= need).cloned();
                };
                let at: Vec<(f64, f64)> = (points.iter())
                    .map(|p| (deviation(p, s), reach(p)))
                    .collect();
                if let Some(i) = at.iter().position(|&(ps, pk)| ps == 0.0 && pk >= need) {
                    return points.get(i).cloned();
                }
                // The mix λ·p + (1 − λ)·q with `known` at its value: λ·ps + (1 − λ)·qs = 0.
                let mixed = |(ps, pk): (f64, f64), (qs, qk): (f64, f64)| {
                    let lambda = -qs / (ps - qs);
                    lambda * pk + (1.0 - lambda) * qk
                };
                let (i, j) = (at.iter().enumerate())
                    .filter(|(_, p)| p.0 > 0.0)
                    .find_map(|(i, &p)| {
                        (at.iter().enumerate())
                            .filter(|(_, q)| q.0 < 0.0)
                            .find(|&(_, &q)| mixed(p, q) >= need)
                            .map(|(j, _)| (i, j))
                    })?;
                Some(mix(points.get(i)?, points.get(j)?, s).into())
            };
        // The side's last proof, where it still meets it.
        let kept = |o: &Open| {
            let (_, _, direction, need, side) = *o;
            let p = pool.proofs.and_then(|proofs| proofs.get(&side))?;
            let leaves = known_cell.is_none_or(|s| deviation(p, s) == 0.0);
            (leaves && direction * deviation(p, side.cell) >= need).then_some(())
        };
        open.retain(|o| kept(o).is_none());
        let mut still = Vec::with_capacity(open.len());
        for o in open {
            match proof(&pool.points, &o) {
                Some(p) => pool.proved.push((o.4, p)),
                None => still.push(o),
            }
        }
        let mut open = still;
        while let Some(&seed) = open.first() {
            let (i, k, direction, _, _) = seed;
            let (Some(class), sign) = self.class_of(k) else {
                return Err(lost());
            };
            // The class pushed the way that moves the cell in `direction`: its own extreme on that side.
            let pushed = if direction * sign > 0.0 {
                OptimizationDirection::Maximize
            } else {
                OptimizationDirection::Minimize
            };
            let (reached, point) = self.extreme(class, pushed, known_class)?;
            out.programs += 1;
            out.work += self.classes();
            let point: Witness = self.witness(cells, &point).into();
            let fresh = [point];
            open.retain(|o| match proof(&fresh, o) {
                Some(p) => {
                    pool.proved.push((o.4, p));
                    false
                }
                None => true,
            });
            let [point] = fresh;
            pool.points.push(point);
            if open.first() != Some(&seed) {
                continue;
            }
            // The seed's own extreme falls short of it: its primary's exact extremes decide.
            open.retain(|o| o.0 != i);
            let Some(&(k, levels)) = wanted.get(i) else {
                return Err(lost());
            };
            // Asked only whether there is a failure: a side whose own extreme misses its level is one, whatever
            // the other side (the audit may name it an exact disclosure, when neither side moves).
            let reach = direction * sign * reached;
            let level = if direction > 0.0 {
                levels.upper
            } else {
                levels.lower
            };
            if first && reach < level - tol {
                let shortfall = if direction > 0.0 {
                    Shortfall::Upper {
                        needed: level,
                        reach,
                    }
                } else {
                    Shortfall::Lower {
                        needed: level,
                        reach,
                    }
                };
                found.push((cells.get(k).copied().ok_or_else(lost)?, shortfall));
                break;
            }
            let (down, up) = self.extremes_of(k, known_class, (pushed, reached), out)?;
            if let Some(sf) = shortfall(&levels, up, down, tol).zip(cells.get(k)) {
                found.push((*sf.1, sf.0));
                if first {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// A point of the classes as a witness: per cell of `cells` (the component's unknowns) its deviation.
    fn witness(&self, cells: &[u32], z: &[f64]) -> Vec<(u32, f64)> {
        (cells.iter().enumerate())
            .filter_map(|(k, &cell)| match self.class_of(k) {
                (Some(c), sign) => z.get(c).map(|&x| (cell, x * sign)),
                (None, _) => None,
            })
            .filter(|&(_, d)| d != 0.0)
            .collect()
    }

    /// Unknown `k`'s lowest and highest deviation, with class `known` held at 0, given its class's extreme
    /// `reached` in direction `pushed` (that side's program is solved already): `(down, up)`.
    fn extremes_of(
        &self,
        k: usize,
        known: Option<usize>,
        (pushed, reached): (OptimizationDirection, f64),
        out: &mut Audit,
    ) -> Result<(f64, f64), Error> {
        use OptimizationDirection::{Maximize, Minimize};
        let (Some(c), sign) = self.class_of(k) else {
            return Ok((0.0, 0.0));
        };
        let other = if pushed == Maximize {
            Minimize
        } else {
            Maximize
        };
        let (other, _) = self.extreme(c, other, known)?;
        out.programs += 1;
        out.work += self.classes();
        let (lo, hi) = if pushed == Maximize {
            (other, reached)
        } else {
            (reached, other)
        };
        Ok(if sign > 0.0 { (lo, hi) } else { (-hi, -lo) })
    }
}

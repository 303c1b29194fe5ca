//! The `optimal` method: the pattern of least total cost whose every primary the audit finds protected, after
//! Fischetti & Salazar-González (2001), by cut generation.
//!
//! # The model
//! One 0/1 unknown `yᵢ` per cell (1: suppressed): the primaries are 1, the cells that must be published (and
//! structural zeros) 0, and the cost `Σ costᵢ·yᵢ` is to be least (a cell declared safe costs more than all
//! the others together, so it is taken only when nothing else protects). A primary `p` is protected upward
//! when the audit's program `max dₚ` reaches its upper level: every suppressed cell's deviation `dᵢ` lies in
//! `[−LBᵢ, +∞)` (`LBᵢ` its value less the lower bound, infinite without one), every published cell's is 0,
//! and every relation `Σ cᵣᵢ·dᵢ = 0` holds. By linear-programming duality that maximum is the least, over
//! multipliers `π` of the relations, of `Σᵢ yᵢ·roomᵢ(π)`, where `gᵢ = eₚᵢ − Σᵣ πᵣ·cᵣᵢ` and
//! `roomᵢ = ∞` when `gᵢ > 0`, `LBᵢ·(−gᵢ)` when `gᵢ < 0`, 0 otherwise. So every `π` gives a necessary condition,
//! a *cut*, `Σᵢ min(level, roomᵢ)·yᵢ ≥ level` (taking each room at most the level keeps it valid for 0/1
//! unknowns and keeps the numbers small). Downward alike with `−eₚ`, the sliding level with the two rooms
//! added up, and "not exactly known" as `Σ yᵢ ≥ 1` over the cells with room either way. An attacker who is a
//! singleton's contributor knows that cell: it counts as published in that attacker's program.
//!
//! # The search
//! 1. The incumbent is `fast`'s pattern, which the audit has passed.
//! 2. The master program holds the cuts found so far (to begin, per primary, relation and direction, the one
//!    of that relation alone: its other cells must make room) and is solved by branch and bound (`microlp`,
//!    pure Rust, so the page solves it too), started from the incumbent. Its optimum is a lower bound on the
//!    cost of every pattern that protects, since every such pattern meets every cut.
//! 3. The master's pattern is checked: a primary that a hypercube among its cells protects needs no program
//!    (see [`super::hypercube`]); the others are checked ([`super::check`]: witness tables, kept from check to
//!    check where they are tables of the pattern, and the audit's programs where none proves). Each primary left
//!    short gives the cut of its
//!    attacker's dual program at that pattern (`π` from `min Σᵢ LBᵢ·(Σᵣ πᵣ·cᵣᵢ − eₚᵢ)` subject to
//!    `Σᵣ πᵣ·cᵣᵢ ≥ eₚᵢ` over the suppressed cells of `p`'s component), which the pattern violates, and the master
//!    is *repaired*: the master is solved again with every cell of the pattern kept suppressed, which gives the
//!    cheapest superset the cuts allow, and that is checked the same way, up to `REPAIRS` times (the master's
//!    patterns are far cheaper than `fast`'s long before they protect; a few cells more usually make one
//!    that does).
//! 4. A pattern that leaves no primary short is checked whole (singletons' contributors included): passed and
//!    cheaper, it is the incumbent, and optimal when it is the master's own, solved to the end. Then the
//!    master is solved again over all the cuts found. The last incumbent gets its own audit.
//!
//! The search stops when the master's bound reaches the incumbent's cost (the incumbent is optimal), when its
//! checks have spent `WORK` times the work of `fast`'s audit or it has solved `MASTERS` master programs of at
//! most `NODES` branch-and-bound nodes each (counts, so the answer is the same on every machine), or at the
//! caller's time limit, looked at between steps (then the answer depends on the machine's speed, and says
//! so). It returns the best audited pattern and the lower bound, so the gap is known.
//!
//! # Reference
//! M. Fischetti and J.-J. Salazar-González (2001), "Solving the cell suppression problem on tabular data with
//! linear constraints", Management Science 47(7), 1008–1027; Hundepool et al. (2012), Statistical Disclosure
//! Control, §4.3.2 (the optimal method in τ-ARGUS).

use super::audit::{self, Failure};
use super::check;
use super::{Pattern, Searcher, Setup, hypercube};
use crate::Error;
use crate::table::{Apriori, Table};
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions, TerminationReason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

/// Master programs the search may solve.
const MASTERS: u32 = 200;
/// Branch-and-bound nodes one master program may take.
const NODES: u64 = 20_000;
/// What the checks of the search may spend, as a multiple of the work of `fast`'s audit (variables per linear
/// program, added up: a count, not a clock) ...
const WORK: usize = 20;
/// ... and at least this much, so a small table's search runs to its proof.
const WORK_MIN: usize = 2_000_000;
/// Repairs of a master's pattern (its cheapest supersets that the cuts found since allow) before the search
/// goes back to the whole problem.
const REPAIRS: u32 = 6;
/// A multiplier's residue below this is zero.
const EPS: f64 = 1e-9;

/// How close the `optimal` method came to the least cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Optimality {
    /// No pattern that protects every primary costs less (the cost itself when `proven`); none when the
    /// search could not start.
    pub lower_bound: Option<f64>,
    /// Whether the pattern is proven to cost the least.
    pub proven: bool,
    /// Why the search stopped.
    pub stop: Stop,
    /// Master programs solved (repairs included) and cuts they held.
    pub masters: u32,
    pub cuts: usize,
    /// Whether the pattern differs from `fast`'s.
    pub changed: bool,
}

/// Why the `optimal` search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// The pattern is proven to cost the least.
    Proven,
    /// The search spent its budget of solver work or master programs.
    Budget,
    /// The caller's time limit was reached.
    TimeLimit,
    /// `fast`'s pattern does not protect every primary, so there is nothing proven to start from.
    Unprotected,
}

/// A necessary condition on every pattern that protects: `Σ coefficient·y ≥ rhs` over the cells not fixed.
#[derive(Debug, Clone, PartialEq)]
struct Cut {
    terms: Vec<(u32, f64)>,
    rhs: f64,
}

impl Cut {
    /// The cut `Σ min(level, roomᵢ)·yᵢ ≥ level`, with the fixed cells moved to the right-hand side; `None` when
    /// the fixed cells alone meet it.
    fn of(rooms: &[(u32, f64)], level: f64, fixed: &[Option<bool>]) -> Option<Cut> {
        let mut rhs = level;
        let mut terms = Vec::new();
        for &(c, room) in rooms {
            let a = room.min(level);
            if a <= level * EPS {
                continue;
            }
            match fixed.get(c as usize).copied().flatten() {
                Some(true) => rhs -= a,
                Some(false) => {}
                None => terms.push((c, a)),
            }
        }
        if rhs <= level * 1e-7 {
            return None;
        }
        for t in &mut terms {
            t.1 = t.1.min(rhs);
        }
        Some(Cut { terms, rhs })
    }

    /// Whether the pattern `y` meets it.
    fn met(&self, y: &[bool]) -> bool {
        let lhs: f64 = self
            .terms
            .iter()
            .filter(|(c, _)| y.get(*c as usize) == Some(&true))
            .map(|(_, a)| a)
            .sum();
        lhs >= self.rhs * (1.0 - 1e-7)
    }

    fn key(&self) -> Vec<(u32, u64)> {
        let mut k: Vec<(u32, u64)> = self.terms.iter().map(|&(c, a)| (c, a.to_bits())).collect();
        k.push((u32::MAX, self.rhs.to_bits()));
        k
    }
}

/// What the search works with.
struct Model<'a> {
    setup: &'a Setup,
    table: &'a Table,
    singletons: &'a [u32],
    /// Per cell: `Some(true)` a primary, `Some(false)` a cell that must be published, `None` free.
    fixed: Vec<Option<bool>>,
    /// Per cell, the master's cost (a cell declared safe carries the reluctance).
    costs: Vec<f64>,
    reluctance: f64,
}

impl<'a> Model<'a> {
    /// The search's model of the table `searcher` looks at, with the cells' `costs`, and the nudge added to
    /// each cell's cost.
    fn new(searcher: &Searcher<'a>, costs: &[f64]) -> (Self, f64) {
        let (setup, table) = (searcher.setup, searcher.table);
        // The hypercubes' reluctance: more than all costs together.
        let reluctance = searcher.reluctance;
        // Among patterns of one cost, the one with fewer cells: each cell costs a little more in the master,
        // all of them together at most a ten-millionth of the table's cost (taken off the lower bound).
        let total: f64 = costs.iter().map(|c| c.abs()).sum();
        let nudge = 1e-7 * total.max(1.0) / table.len().max(1) as f64;
        let fixed: Vec<Option<bool>> = (0..table.len() as u32)
            .map(|c| {
                if setup.levels.get(c as usize).is_some_and(Option::is_some) {
                    Some(true)
                } else if matches!(
                    table.apriori(c),
                    Some(Apriori::Protected | Apriori::Structural)
                ) {
                    Some(false)
                } else {
                    None
                }
            })
            .collect();
        let costs = (0..table.len() as u32)
            .map(|c| {
                let cost = costs.get(c as usize).copied().unwrap_or(0.0) + nudge;
                if table.apriori(c) == Some(Apriori::Safe) {
                    cost + reluctance
                } else {
                    cost
                }
            })
            .collect();
        let model = Model {
            setup,
            table,
            singletons: searcher.singletons,
            costs,
            fixed,
            reluctance,
        };
        (model, nudge)
    }
}

impl Model<'_> {
    /// How far each cell's deviation may go below its value: `LBᵢ`.
    fn room_below(&self, c: u32) -> f64 {
        self.setup.values.get(c as usize).copied().unwrap_or(0.0) - self.setup.lower_bound
    }

    fn room(&self, c: u32, g: f64) -> f64 {
        if g > EPS {
            f64::INFINITY
        } else if g < -EPS {
            self.room_below(c) * -g
        } else {
            0.0
        }
    }

    /// The rooms of the cells of relation `r` alone, for primary `p` moving in direction `dir` (±1).
    fn relation_rooms(&self, r: usize, p: u32, dir: f64) -> Vec<(u32, f64)> {
        let rel = &self.setup.relations;
        let Some((_, cp)) = rel.terms(r).find(|&(c, _)| c == p) else {
            return Vec::new();
        };
        let pi = dir / cp;
        rel.terms(r)
            .filter(|&(c, _)| c != p)
            .map(|(c, coef)| (c, self.room(c, -coef * pi)))
            .collect()
    }

    /// Primary `p`'s component among the cells pattern `y` hides from an attacker who knows cell `known`, and
    /// the relations that touch it (sorted).
    fn part(&self, y: &[bool], p: u32, known: Option<u32>) -> (Vec<u32>, Vec<u32>) {
        let rel = &self.setup.relations;
        let by_cell = &self.setup.by_cell;
        let hidden = |c: u32| y.get(c as usize) == Some(&true) && Some(c) != known;
        let mut cells = vec![p];
        let mut in_cells: BTreeSet<u32> = BTreeSet::from([p]);
        let mut rels: BTreeSet<u32> = BTreeSet::new();
        let mut i = 0;
        while let Some(&c) = cells.get(i) {
            i += 1;
            for &r in by_cell.get(c as usize).map_or(&[][..], Vec::as_slice) {
                if !rels.insert(r) {
                    continue;
                }
                for (x, _) in rel.terms(r as usize) {
                    if hidden(x) && in_cells.insert(x) {
                        cells.push(x);
                    }
                }
            }
        }
        (cells, rels.into_iter().collect())
    }

    /// The weakest cut a primary `p` that pattern `y` leaves short (against an attacker who knows `known`)
    /// asks of every pattern: one more suppressed cell among those its component's relations publish. A
    /// pattern that adds none leaves the component, and so `p`'s interval, as they are (and one that suppresses
    /// less protects no better). For when the attacker's dual program cannot be solved.
    fn more_next_to(&self, y: &[bool], p: u32, known: Option<u32>) -> Option<Cut> {
        let (_, rels) = self.part(y, p, known);
        let mut next: Vec<(u32, f64)> = (rels.iter())
            .flat_map(|&r| self.setup.relations.terms(r as usize))
            .filter(|&(c, _)| y.get(c as usize) == Some(&false))
            .map(|(c, _)| (c, 1.0))
            .collect();
        next.sort_by_key(|&(c, _)| c);
        next.dedup_by_key(|&mut (c, _)| c);
        Cut::of(&next, 1.0, &self.fixed)
    }

    /// The rooms of the attacker's dual program for primary `p` moving in direction `dir` (±1) at pattern `y`,
    /// the attacker knowing cell `known`; `None` when `p` can move that way without end.
    fn rooms(
        &self,
        y: &[bool],
        p: u32,
        dir: f64,
        known: Option<u32>,
    ) -> Result<Option<Vec<(u32, f64)>>, Error> {
        let rel = &self.setup.relations;
        let by_cell = &self.setup.by_cell;
        // p's component among the hidden cells, and the relations that touch it.
        let (cells, rels) = self.part(y, p, known);
        let index = |r: u32| rels.binary_search(&r).ok();
        // min Σᵢ LBᵢ·tᵢ subject to tᵢ ≥ eᵢ (tᵢ = eᵢ where LBᵢ is infinite), tᵢ = Σᵣ πᵣ·cᵣᵢ.
        let mut weights = vec![0.0; rels.len()];
        let mut rows: Vec<DualRow> = Vec::with_capacity(cells.len());
        for &c in &cells {
            let lb = self.room_below(c);
            let mut row = Vec::new();
            for &r in by_cell.get(c as usize).map_or(&[][..], Vec::as_slice) {
                let (Some(k), Some((_, coef))) =
                    (index(r), rel.terms(r as usize).find(|&(x, _)| x == c))
                else {
                    continue;
                };
                row.push((k, coef));
                if lb.is_finite() {
                    if let Some(w) = weights.get_mut(k) {
                        *w += lb * coef;
                    }
                }
            }
            let e = if c == p { dir } else { 0.0 };
            rows.push(DualRow {
                terms: row,
                e,
                equal: !lb.is_finite(),
            });
        }
        // Each multiplier as the difference of two non-negative parts (the solver is surer of those).
        let mut lp = Problem::new(OptimizationDirection::Minimize);
        let vars: Vec<_> = weights
            .iter()
            .map(|&w| {
                (
                    lp.add_var(w, (0.0, f64::INFINITY)),
                    lp.add_var(-w, (0.0, f64::INFINITY)),
                )
            })
            .collect();
        for DualRow { terms, e, equal } in &rows {
            let expr: Vec<_> = terms
                .iter()
                .filter_map(|&(k, coef)| vars.get(k).map(|&(a, b)| [(a, coef), (b, -coef)]))
                .flatten()
                .collect();
            let op = if *equal {
                ComparisonOp::Eq
            } else {
                ComparisonOp::Ge
            };
            lp.add_constraint(expr.as_slice(), op, *e);
        }
        let pi: Vec<f64> = match lp.solve() {
            Ok(outcome) => match outcome.solution() {
                Some(s) => vars
                    .iter()
                    .map(|&(a, b)| s.var_value(a) - s.var_value(b))
                    .collect(),
                None => return Err(unsolved("an attacker's dual program")),
            },
            // No multipliers: the attacker's own program has no end, the cell moves that way freely.
            Err(microlp::Error::Infeasible) => return Ok(None),
            Err(e) => {
                return Err(Error::Shape(format!(
                    "the optimal method could not solve an attacker's dual program: {e}"
                )));
            }
        };
        // gᵢ = eᵢ − Σᵣ πᵣ·cᵣᵢ over every cell of the relations used.
        let mut t: std::collections::BTreeMap<u32, f64> = Default::default();
        for (k, &r) in rels.iter().enumerate() {
            let w = pi.get(k).copied().unwrap_or(0.0);
            for (x, coef) in rel.terms(r as usize) {
                *t.entry(x).or_insert(0.0) += w * coef;
            }
        }
        Ok(Some(
            t.into_iter()
                .filter(|&(c, _)| Some(c) != known)
                .map(|(c, tc)| {
                    let e = if c == p { dir } else { 0.0 };
                    (c, self.room(c, e - tc))
                })
                .collect(),
        ))
    }

    /// The cuts primary `p` asks of every pattern, from the rooms up and down: its upper, lower and sliding
    /// levels, and not being exactly known.
    fn cuts_of(&self, p: u32, up: Option<&[(u32, f64)]>, down: Option<&[(u32, f64)]>) -> Vec<Cut> {
        let Some(levels) = self.setup.levels.get(p as usize).copied().flatten() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let (Some(up), true) = (up, levels.upper > 0.0) {
            out.extend(Cut::of(up, levels.upper, &self.fixed));
        }
        if let (Some(down), true) = (down, levels.lower > 0.0) {
            out.extend(Cut::of(down, levels.lower, &self.fixed));
        }
        if let (Some(up), Some(down)) = (up, down) {
            if levels.sliding > 0.0 {
                let both: Vec<(u32, f64)> = up.iter().chain(down).copied().collect();
                out.extend(Cut::of(&merge(both), levels.sliding, &self.fixed));
            }
            let some: Vec<(u32, f64)> = up
                .iter()
                .chain(down)
                .filter(|&&(_, a)| a > 0.0)
                .map(|&(c, _)| (c, 1.0))
                .collect();
            let some: Vec<(u32, f64)> = merge(some).into_iter().map(|(c, _)| (c, 1.0)).collect();
            out.extend(Cut::of(&some, 1.0, &self.fixed));
        }
        out
    }

    /// The cuts of each primary's relations taken alone.
    fn first_cuts(&self) -> Vec<Cut> {
        let mut out = Vec::new();
        for (p, l) in self.setup.levels.iter().enumerate() {
            if l.is_none() {
                continue;
            }
            for &r in self.setup.by_cell.get(p).map_or(&[][..], Vec::as_slice) {
                let up = self.relation_rooms(r as usize, p as u32, 1.0);
                let down = self.relation_rooms(r as usize, p as u32, -1.0);
                out.extend(self.cuts_of(p as u32, Some(&up), Some(&down)));
            }
        }
        out
    }

    /// The cuts pattern `y` violates for the primaries its audit found short.
    fn cuts_for(&self, y: &[bool], failures: &[Failure]) -> Result<Vec<Cut>, Error> {
        let mut out = Vec::new();
        for f in failures {
            let (Ok(up), Ok(down)) = (
                self.rooms(y, f.cell, 1.0, f.known),
                self.rooms(y, f.cell, -1.0, f.known),
            ) else {
                // The solver could not settle an attacker's dual program: a weaker cut, which still holds.
                out.extend(self.more_next_to(y, f.cell, f.known));
                continue;
            };
            out.extend(
                self.cuts_of(f.cell, up.as_deref(), down.as_deref())
                    .into_iter()
                    .filter(|c| !c.met(y)),
            );
        }
        Ok(out)
    }

    /// The pattern's cost in the master (reluctance and nudge included).
    fn cost(&self, y: &[bool]) -> f64 {
        y.iter()
            .zip(&self.costs)
            .filter(|(s, _)| **s)
            .map(|(_, c)| c)
            .sum()
    }

    /// The declared-safe cells a pattern suppresses.
    fn reluctant(&self, y: &[bool]) -> usize {
        (0..y.len() as u32)
            .filter(|&c| {
                y.get(c as usize) == Some(&true)
                    && self.table.apriori(c) == Some(Apriori::Safe)
                    && self.fixed.get(c as usize) == Some(&None)
            })
            .count()
    }
}

/// One suppressed cell's row of an attacker's dual program: `Σ πᵣ·cᵣᵢ ≥ eᵢ` (`= eᵢ` when `equal`).
struct DualRow {
    terms: Vec<(usize, f64)>,
    e: f64,
    equal: bool,
}

/// Rooms of one cell added up.
fn merge(mut rooms: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
    rooms.sort_by_key(|&(c, _)| c);
    let mut out: Vec<(u32, f64)> = Vec::with_capacity(rooms.len());
    for (c, a) in rooms {
        match out.last_mut() {
            Some(last) if last.0 == c => last.1 += a,
            _ => out.push((c, a)),
        }
    }
    out
}

fn unsolved(what: &str) -> Error {
    Error::Shape(format!("the optimal method lost the answer of {what}"))
}

/// The primaries pattern `y` leaves short against their own attackers: those no hypercube among its cells
/// protects are audited (the others need no program). Adds the audit's work to `spent`.
fn short_of(
    model: &Model,
    searcher: &Searcher,
    y: &[bool],
    (spent, witnesses): (&mut usize, &mut check::Witnesses),
    tol: f64,
) -> Result<Vec<Failure>, Error> {
    let open: Vec<u32> = (0..y.len() as u32)
        .filter(|&p| {
            model.fixed.get(p as usize) == Some(&Some(true))
                && model
                    .setup
                    .levels
                    .get(p as usize)
                    .is_some_and(Option::is_some)
                && !matches!(
                    searcher.search(p, None, y, hypercube::Corners::Suppressed, tol),
                    Some((_, true))
                )
        })
        .collect();
    failures(model, y, &open, (spent, witnesses))
}

/// The failures of the primaries `open` under pattern `y` (`check`'s, with the witnesses found so far that are
/// tables of `y`; those it finds join them). Adds the check's work to `spent`.
fn failures(
    model: &Model,
    y: &[bool],
    open: &[u32],
    (spent, witnesses): (&mut usize, &mut check::Witnesses),
) -> Result<Vec<Failure>, Error> {
    let mut mine = witnesses.of_pattern(y);
    let from = mine.count();
    let input = model.setup.input(model.table, y, model.singletons);
    let checked = check::check(&input, open, &mut mine, check::Wanted::All)?;
    witnesses.keep_new(&mine, from);
    *spent += checked.work;
    Ok(checked.failures)
}

/// What a master program gave: its pattern (when it found one), and its lower bound and whether it proved it.
struct Master {
    pattern: Option<Vec<bool>>,
    bound: Option<f64>,
    proven: bool,
    timed_out: bool,
}

/// Solves the master program over `cuts`, started from `incumbent`, within `time` when given.
/// With `floor`, the cells it suppresses stay suppressed (a repair of that pattern: no warm start, and its
/// bound is no bound on the whole problem).
fn master(
    model: &Model,
    cuts: &[Cut],
    incumbent: &[bool],
    floor: Option<&[bool]>,
    time: Option<Duration>,
) -> Result<Master, Error> {
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    // One unknown per free cell some cut names; the others stay as the fixed ones are (free ones published).
    let mut named: Vec<u32> = cuts
        .iter()
        .flat_map(|c| c.terms.iter().map(|&(x, _)| x))
        .collect();
    named.sort_unstable();
    named.dedup();
    let vars: Vec<_> = named
        .iter()
        .map(|&c| lp.add_binary_var(model.costs.get(c as usize).copied().unwrap_or(0.0)))
        .collect();
    let var = |c: u32| {
        named
            .binary_search(&c)
            .ok()
            .and_then(|k| vars.get(k))
            .copied()
    };
    for cut in cuts {
        let expr: Vec<_> = cut
            .terms
            .iter()
            .filter_map(|&(c, a)| var(c).map(|v| (v, a)))
            .collect();
        lp.add_constraint(expr.as_slice(), ComparisonOp::Ge, cut.rhs);
    }
    if let Some(floor) = floor {
        for (&c, &v) in named.iter().zip(&vars) {
            if floor.get(c as usize) == Some(&true) {
                lp.add_constraint([(v, 1.0)], ComparisonOp::Ge, 1.0);
            }
        }
    }
    let mut options = SolveOptions::default();
    options.node_limit = Some(NODES);
    options.time_limit = time;
    options.warm_start = floor.is_none().then(|| {
        named
            .iter()
            .zip(&vars)
            .map(|(&c, &v)| {
                (
                    v,
                    if incumbent.get(c as usize) == Some(&true) {
                        1.0
                    } else {
                        0.0
                    },
                )
            })
            .collect()
    });
    let fixed_cost: f64 = model
        .fixed
        .iter()
        .zip(&model.costs)
        .filter(|(f, _)| **f == Some(true))
        .map(|(_, c)| c)
        .sum();
    let outcome = match lp.solve_with(options) {
        Ok(o) => o,
        // The cuts hold for every protecting pattern, the incumbent among them: only rounding gets here.
        Err(microlp::Error::Infeasible) => {
            return Ok(Master {
                pattern: None,
                bound: None,
                proven: false,
                timed_out: false,
            });
        }
        Err(e) => {
            return Err(Error::Shape(format!(
                "the optimal method could not solve its master program: {e}"
            )));
        }
    };
    let reason = outcome.termination_reason();
    let stats = outcome.stats();
    let proven = reason == TerminationReason::ProvenOptimal;
    let pattern = outcome.solution().map(|s| {
        let mut y: Vec<bool> = model.fixed.iter().map(|f| *f == Some(true)).collect();
        for (&c, &v) in named.iter().zip(&vars) {
            if let Some(slot) = y.get_mut(c as usize) {
                *slot = s.var_value(v) > 0.5;
            }
        }
        if let Some(floor) = floor {
            for (slot, &f) in y.iter_mut().zip(floor) {
                *slot |= f;
            }
        }
        y
    });
    let bound = if proven {
        outcome.solution().map(|s| s.objective() + fixed_cost)
    } else {
        stats.best_bound.map(|b| b + fixed_cost)
    };
    Ok(Master {
        pattern,
        bound,
        proven,
        timed_out: reason == TerminationReason::TimeLimit,
    })
}

/// What is left of `limit` since `started` (`None`: no limit); `Err` once it is spent.
fn left(limit: Option<Duration>, started: web_time::Instant) -> Result<Option<Duration>, ()> {
    match limit {
        None => Ok(None),
        Some(limit) => match limit.checked_sub(started.elapsed()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(()),
        },
    }
}

/// Improves `pattern` (`fast`'s, audited) towards the least cost; see the module's documentation.
pub(super) fn improve(
    searcher: &Searcher,
    costs: &[f64],
    pattern: &mut Pattern,
    time_limit: Option<Duration>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Optimality, Error> {
    if !pattern.audit.passed() {
        return Ok(Optimality {
            lower_bound: None,
            proven: false,
            stop: Stop::Unprotected,
            masters: 0,
            cuts: 0,
            changed: false,
        });
    }
    let (setup, table, singletons) = (searcher.setup, searcher.table, searcher.singletons);
    let started = web_time::Instant::now();
    let (model, nudge) = Model::new(searcher, costs);
    let mut cuts: Vec<Cut> = Vec::new();
    let mut seen: BTreeSet<Vec<(u32, u64)>> = BTreeSet::new();
    let mut add = |cuts: &mut Vec<Cut>, new: Vec<Cut>| {
        let mut added = 0;
        for c in new {
            if seen.insert(c.key()) {
                cuts.push(c);
                added += 1;
            }
        }
        added
    };
    add(&mut cuts, model.first_cuts());
    let mut incumbent = pattern.suppressed.clone();
    let mut best = model.cost(&incumbent);
    let mut bound: f64 = 0.0;
    let mut changed = false;
    let mut masters = 0;
    let tol = |x: f64| 1e-9 * x.abs().max(1.0);
    let scale_tol = setup.tol();
    let budget = (WORK * pattern.audit.work).max(WORK_MIN);
    let mut spent = 0;
    // Tables that prove primaries protected, from every check so far (each check takes those of its pattern).
    let mut witnesses = check::Witnesses::default();
    let primaries: Vec<u32> = (0..table.len() as u32)
        .filter(|&c| setup.levels.get(c as usize).is_some_and(Option::is_some))
        .collect();
    let stop = loop {
        if masters >= MASTERS || spent >= budget {
            break Stop::Budget;
        }
        let Ok(time) = left(time_limit, started) else {
            break Stop::TimeLimit;
        };
        progress(spent.min(budget), budget);
        masters += 1;
        let m = master(&model, &cuts, &incumbent, None, time)?;
        if let Some(b) = m.bound {
            bound = bound.max(b);
        }
        if bound >= best - tol(best) {
            break Stop::Proven;
        }
        let Some(y) = m.pattern.filter(|y| model.cost(y) < best - tol(best)) else {
            // No cheaper pattern in reach: the master stopped short of its proof.
            break if m.timed_out {
                Stop::TimeLimit
            } else {
                Stop::Budget
            };
        };
        // The master's pattern, then the cheapest supersets of it that the cuts found on the way allow (a
        // repair that keeps what the master chose), until one passes the audit or REPAIRS are spent.
        let (mut y, mut added, mut repairs, mut kept) = (y, 0, 0, false);
        loop {
            let short = short_of(
                &model,
                searcher,
                &y,
                (&mut spent, &mut witnesses),
                scale_tol,
            )?;
            let mut new = model.cuts_for(&y, &short)?;
            if short.is_empty() {
                // Every primary's own attacker is answered: the check of every primary decides, singletons'
                // contributors included.
                let all = failures(&model, &y, &primaries, (&mut spent, &mut witnesses))?;
                if all.is_empty() {
                    best = model.cost(&y);
                    incumbent = y;
                    changed = true;
                    kept = true;
                    break;
                }
                new = model.cuts_for(&y, &all)?;
            }
            if new.is_empty() {
                // Rounding kept every failure's cut from biting: some cell published in `y` must be
                // suppressed (a pattern within a failing one fails too).
                new.push(Cut {
                    terms: (0..table.len() as u32)
                        .filter(|&c| {
                            y.get(c as usize) == Some(&false)
                                && model.fixed.get(c as usize) == Some(&None)
                        })
                        .map(|c| (c, 1.0))
                        .collect(),
                    rhs: 1.0,
                });
            }
            added += add(&mut cuts, new);
            let Ok(time) = left(time_limit, started) else {
                break;
            };
            if repairs >= REPAIRS || spent >= budget {
                break;
            }
            repairs += 1;
            masters += 1;
            let r = master(&model, &cuts, &incumbent, Some(&y), time)?;
            match r.pattern.filter(|z| model.cost(z) < best - tol(best)) {
                Some(z) => y = z,
                None => break,
            }
        }
        if kept && repairs == 0 && m.proven {
            // The master's own pattern, solved to the end, passed: nothing cheaper protects.
            bound = bound.max(best);
            break Stop::Proven;
        }
        if added == 0 && !kept {
            break Stop::Budget;
        }
    };
    if changed {
        // The pattern's own audit: every suppressed cell's interval.
        pattern.audit = audit::audit(&setup.input(table, &incumbent, singletons))?;
    }
    pattern.suppressed = incumbent;
    // In the caller's cost: the reluctance of the declared-safe cells the incumbent suppresses comes off the
    // bound (the least-cost pattern suppresses at most as many).
    let proven = stop == Stop::Proven;
    let lower_bound = if proven {
        pattern
            .suppressed
            .iter()
            .zip(costs)
            .filter(|(s, _)| **s)
            .map(|(_, c)| c)
            .sum()
    } else {
        let spare = model.reluctance * model.reluctant(&pattern.suppressed) as f64;
        (bound - spare - nudge * table.len() as f64).max(0.0)
    };
    Ok(Optimality {
        lower_bound: Some(lower_bound),
        proven,
        stop,
        masters,
        cuts: cuts.len(),
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{Prepared, Seeded, prepared};
    use super::*;

    /// The cut for a primary whose attacker's dual program could not be solved holds: a pattern that protects
    /// the primary (`fast`'s, which passes the audit) meets it, and the short pattern it was made for does not.
    /// On seeded random tables, each with random parts of that pattern.
    #[test]
    fn property_the_cut_without_a_dual_holds() {
        let mut cuts = 0;
        let mut rng = crate::random_table::Rng::new(0x853c_49e6_748f_ea9b);
        for seed in 0..120u64 {
            let prepared = prepared(seed);
            let Prepared {
                seeded: Seeded { t, params, .. },
                setup,
                costs,
                primary: primaries,
                ..
            } = &prepared;
            let searcher = prepared.searcher();
            let pattern = super::super::fast(&searcher, costs, &mut |_, _| {}).unwrap();
            if !pattern.audit.passed() {
                continue;
            }
            let (model, _) = Model::new(&searcher, costs);
            let y: Vec<bool> = (pattern.suppressed.iter().zip(primaries))
                .map(|(&s, &p)| s && (p || rng.chance(0.5)))
                .collect();
            let short_singletons = setup.singletons(t, params, &y);
            let failures = audit::audit(&setup.input(t, &y, &short_singletons))
                .unwrap()
                .failures;
            for f in failures {
                let cut = model.more_next_to(&y, f.cell, f.known);
                assert!(
                    cut.as_ref().is_none_or(|c| c.met(&pattern.suppressed)),
                    "seed {seed}, cell {}",
                    f.cell
                );
                assert!(
                    cut.as_ref().is_some_and(|c| !c.met(&y)),
                    "seed {seed}, cell {}: the cut must exclude the short pattern",
                    f.cell
                );
                cuts += 1;
            }
        }
        assert!(cuts > 50, "{cuts} cuts");
    }
}

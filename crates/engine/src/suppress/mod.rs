//! Secondary suppression: the cells to suppress besides the unsafe ones so that no unsafe cell can be computed
//! back, closely, from the published cells and the table's totals, and the audit that proves it.
//!
//! # What it does
//! [`protect`] takes a checked table: its primary cells are those the check found `unsafe` or left to `review`
//! (what a person has not cleared is not published), each with protection levels from the rule that fired
//! ([`levels`]). It reads the table's additive relations ([`linear`]), finds secondary cells with the `fast`
//! method ([`hypercube`], and a flow program where hypercubes cost too much: `flow`), and with `optimal` looks
//! from there for the least-cost pattern ([`optimal`]), and
//! audits the pattern by linear programming ([`audit`]): every suppressed cell gets the
//! interval an attacker can compute for it, and every primary is checked against its levels. A primary the
//! audit finds short sends the method back for more cells; a pattern is returned with its audit, and a primary
//! that no pattern can protect is a failure the result names, never a silent pass.
//!
//! # Why
//! Suppressing a small cell is useless if its row total minus the rest gives it back. This is the core of
//! τ-ARGUS and sdcTable, and the step most often got wrong by hand.
//!
//! # Parameters
//! The policy file's `[suppression]` table, read by `Suppression::from_policy_toml` (levels: `safety_range`,
//! `min_interval`, `lower`, `upper`, `sliding`; `singletons`; `bounds`), and the caller's [`Options`] (method,
//! cost, and a time limit for `optimal`).
//!
//! # References
//! Hundepool et al. (2012), Statistical Disclosure Control, §4.3 (secondary cell suppression, protection
//! levels, the audit); τ-ARGUS 4.2 user's manual §4.2.3 (hypercube, modular and optimal methods, singletons);
//! Fischetti & Salazar-González (2001), "Solving the cell suppression problem on tabular data with linear
//! constraints", Management Science 47(7).

pub mod audit;
pub mod check;
pub mod file;
mod flow;
pub mod hypercube;
pub mod levels;
pub mod linear;
pub mod linked;
pub mod optimal;

use crate::Error;
use crate::report::TableReport;
use crate::rules::Status;
use crate::table::{Apriori, Table};
pub use audit::{Audit, Failure, Interval, Shortfall};
pub use levels::Levels;
pub use linked::{audit_linked, protect_linked};
use serde::{Deserialize, Serialize};

/// The policy file's suppression parameters (`[suppression]`); absent, τ-ARGUS's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Suppression {
    /// Percent of a cell's value an unsafe cell's interval must reach on each side when its rule has no level
    /// of its own (threshold, zeros, class disclosure …): τ-ARGUS's frequency-rule safety range.
    pub safety_range: f64,
    /// The least such a level may be, in the table's units.
    pub min_interval: f64,
    /// Percent of the rule's level asked below the value.
    pub lower: f64,
    /// Percent of the rule's level asked above the value.
    pub upper: f64,
    /// Percent of the value the interval must be wide, wherever it lies.
    pub sliding: f64,
    /// Whether a one-unit primary's contributor counts as an attacker who knows that cell.
    pub singletons: bool,
    /// What an attacker knows of every cell's value before looking at the table.
    pub bounds: Bounds,
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression {
            safety_range: 30.0,
            min_interval: 0.0,
            lower: 100.0,
            upper: 100.0,
            sliding: 0.0,
            singletons: true,
            bounds: Bounds::Auto,
        }
    }
}

impl Suppression {
    /// The `[suppression]` table of a TOML policy file (the defaults when it has none), checked; errors name the
    /// key.
    pub fn from_policy_toml(text: &str) -> Result<Suppression, Error> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| Error::Policy(e.message().to_owned()))?;
        let Some(value) = table.get("suppression") else {
            return Ok(Suppression::default());
        };
        let s: Suppression = value.clone().try_into().map_err(|e: toml::de::Error| {
            Error::Policy(format!("[suppression]: {}", e.message()))
        })?;
        s.check().map_err(|b| {
            Error::Policy(format!("suppression.{} = {}: {}", b.field, b.value, b.want))
        })?;
        Ok(s)
    }

    pub(crate) fn check(&self) -> Result<(), crate::policy::Bad> {
        for (field, v) in [
            ("safety_range", self.safety_range),
            ("min_interval", self.min_interval),
            ("lower", self.lower),
            ("upper", self.upper),
            ("sliding", self.sliding),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(crate::policy::Bad {
                    field,
                    value: v.to_string(),
                    want: "must be a number of 0 or more",
                });
            }
        }
        Ok(())
    }
}

/// What an attacker knows of each cell's value beforehand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Bounds {
    /// At least 0, unless the table has a negative figure (then nothing).
    #[default]
    Auto,
    /// At least 0.
    Nonnegative,
    /// Nothing.
    Free,
}

/// How the pattern is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// One hypercube per primary, then the audit ([`hypercube`]).
    #[default]
    Fast,
    /// The least-cost pattern by cut generation, starting from `fast`'s ([`optimal`]).
    Optimal,
}

/// What suppressing a cell costs, which the method keeps low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Cost {
    /// The cell's figure: suppress as little of the table's total as possible.
    #[default]
    Value,
    /// 1 per cell: suppress as few cells as possible.
    Unity,
    /// The cell's units.
    Units,
    /// `ln(1 + figure)`: between the two.
    Log,
}

impl Cost {
    fn of(self, value: f64, n: Option<u64>) -> f64 {
        match self {
            Cost::Value => value.abs(),
            Cost::Unity => 1.0,
            Cost::Units => n.unwrap_or(0) as f64,
            Cost::Log => libm::log1p(value.abs()),
        }
    }
}

/// How to protect a table.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Options {
    pub method: Method,
    pub cost: Cost,
    /// What `optimal` may spend, in wall-clock time, on top of its own budget (counted in solver work and
    /// master programs, so that without a time limit the pattern is the same on every machine); none: its
    /// budget alone.
    pub time_limit: Option<std::time::Duration>,
}

/// A cell's part in a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Published,
    /// Unsafe (or not cleared) by the rules.
    Primary,
    /// Suppressed to protect primaries.
    Secondary,
}

/// A protected table: per cell its role, levels and the primaries it protects; the audit of the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Protection {
    pub options: Options,
    pub roles: Vec<Role>,
    /// Per cell, a primary's levels.
    pub levels: Vec<Option<Levels>>,
    /// Per secondary cell (in cell order), the primaries whose hypercube chose it.
    pub protects: Vec<(u32, Vec<u32>)>,
    pub audit: Audit,
    /// The figures of the table (value, or units for a frequency table).
    pub values: Vec<f64>,
    /// The cost of the suppressed cells under the options' cost.
    pub cost: f64,
    /// Rounds of the method (the first pattern, then each return for primaries the audit found short).
    pub rounds: u32,
    /// The primaries the method found no hypercube for at all (their audit failure says how far they fall short).
    pub unprotectable: Vec<u32>,
    /// Whether every secondary was tried for publishing again within the pruning's budget (then the audit
    /// needs each one that is left).
    pub pruned_whole: bool,
    /// How close the `optimal` method came to the least cost (none for `fast`).
    pub optimality: Option<optimal::Optimality>,
}

impl Protection {
    pub fn count(&self, role: Role) -> usize {
        self.roles.iter().filter(|&&r| r == role).count()
    }
    /// The primaries a secondary cell protects.
    pub fn protects(&self, cell: u32) -> &[u32] {
        self.protects
            .binary_search_by_key(&cell, |(c, _)| *c)
            .ok()
            .and_then(|i| self.protects.get(i))
            .map_or(&[], |(_, p)| p.as_slice())
    }
}

/// The rounds the method may take back to the audit before it reports the primaries still short.
const ROUNDS: u32 = 8;
/// Hypercubes a primary left short may get in one round.
const MORE_CUBES: usize = 4;
/// Hypercubes at most in a bundle (see `Searcher::bundle`).
const BUNDLE: usize = 8;
/// A bundle is tried for a primary whose cheapest hypercube adds a cell costing more than this many times it.
const BUNDLE_FROM: f64 = 10.0;
/// A flow is tried for a primary whose hypercubes add cells costing more than this many times it. A flow takes
/// a linear program per side, so it is kept for where hypercubes cost most: on the 24,389-cell hierarchical
/// table of `bench/tauargus` under NK(2,85), 63 primaries pass this mark, and their flows take the suppressed
/// value from 11.9 % to 0.76 % of the figures in about 1.4 s; from 1 instead, 338 flows take 6.7 s for 0.70 %.
const FLOW_FROM: f64 = 10.0;

/// What protecting a table and auditing a pattern both start from: its figures, its relations (checked to add
/// up), the lowest value a cell may take, and per cell a primary's levels.
struct Setup {
    values: Vec<f64>,
    relations: linear::Relations,
    by_cell: Vec<Vec<u32>>,
    lower_bound: f64,
    levels: Vec<Option<Levels>>,
    /// Cells no one publishes (a linked tables' cover cell that is in none of them): suppressed from the start,
    /// free to lean on, never published again. None in a single table.
    forced: Vec<bool>,
}

impl Setup {
    fn new(table: &Table, report: &TableReport, params: &Suppression) -> Result<Self, Error> {
        let values = linear::published(table)?;
        let relations = linear::relations(table, &values)?;
        let by_cell = relations.by_cell(table.len());
        let lower_bound = bounds(table, &values, params.bounds)?;
        let levels = primaries(table, report, &values, lower_bound, params)?;
        Ok(Setup {
            values,
            relations,
            by_cell,
            lower_bound,
            levels,
            forced: Vec::new(),
        })
    }

    /// The suppressed one-unit primaries, whose contributors the audit takes the place of (none without the
    /// `singletons` option).
    fn singletons(&self, table: &Table, params: &Suppression, suppressed: &[bool]) -> Vec<u32> {
        if !params.singletons {
            return Vec::new();
        }
        (0..table.len() as u32)
            .filter(|&c| {
                suppressed.get(c as usize) == Some(&true)
                    && self.levels.get(c as usize).is_some_and(Option::is_some)
                    && table.n(c) == Some(1)
            })
            .collect()
    }

    /// What suppressing each cell costs under `cost`; nothing for a cell no one publishes, which is
    /// suppressed whatever the pattern.
    fn costs(&self, table: &Table, cost: Cost) -> Vec<f64> {
        (0..table.len() as u32)
            .map(|c| {
                let value = self.values.get(c as usize).copied().unwrap_or(0.0);
                if self.is_forced(c) {
                    0.0
                } else {
                    cost.of(value, table.n(c))
                }
            })
            .collect()
    }

    /// Whether `cell` is one no one publishes.
    fn is_forced(&self, cell: u32) -> bool {
        self.forced.get(cell as usize) == Some(&true)
    }

    /// What the hypercube search allows for rounding: `1e-7` plus `1e-9` of the table's largest figure.
    fn tol(&self) -> f64 {
        let scale = self.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
        1e-7 + 1e-9 * scale
    }

    /// The audit's view of `suppressed`.
    fn input<'a>(
        &'a self,
        table: &'a Table,
        suppressed: &'a [bool],
        singletons: &'a [u32],
    ) -> audit::Input<'a> {
        audit::Input {
            table,
            values: &self.values,
            relations: &self.relations,
            by_cell: &self.by_cell,
            suppressed,
            levels: &self.levels,
            lower_bound: self.lower_bound,
            singletons,
            unasked: &self.forced,
        }
    }
}

/// The secondaries of a pattern (suppressed cells that are no primary, nor forced), the costliest first, then in
/// cell order: the order in which the method tries to publish them again.
fn secondaries_costliest_first(
    suppressed: &[bool],
    levels: &[Option<Levels>],
    forced: &[bool],
    costs: &[f64],
) -> Vec<u32> {
    let mut out: Vec<u32> = (0..suppressed.len() as u32)
        .filter(|&c| {
            suppressed.get(c as usize) == Some(&true)
                && levels.get(c as usize) == Some(&None)
                && forced.get(c as usize) != Some(&true)
        })
        .collect();
    let cost_of = |c: u32| costs.get(c as usize).copied().unwrap_or(0.0);
    out.sort_by(|&a, &b| cost_of(b).total_cmp(&cost_of(a)).then(a.cmp(&b)));
    out
}

/// Per cell, the primaries whose hypercubes have it as a corner.
fn leaning(cubes: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); cubes.len()];
    for (p, corners) in cubes.iter().enumerate() {
        for &c in corners {
            if let Some(l) = out.get_mut(c as usize) {
                l.push(p as u32);
            }
        }
    }
    out
}

/// The hypercube search over a table (see [`hypercube`]): another singleton's contributor knows its cell, so
/// the search avoids those first and allows them only when nothing else protects.
struct Searcher<'a> {
    table: &'a Table,
    setup: &'a Setup,
    singletons: &'a [u32],
    wary: Vec<hypercube::Choice>,
    plain: Vec<hypercube::Choice>,
    reluctance: f64,
}

impl<'a> Searcher<'a> {
    fn new(setup: &'a Setup, table: &'a Table, costs: &[f64], singletons: &'a [u32]) -> Self {
        Searcher {
            table,
            setup,
            singletons,
            wary: hypercube::choices(table, costs, singletons),
            plain: hypercube::choices(table, costs, &[]),
            reluctance: 1.0 + costs.iter().map(|c| c.abs()).sum::<f64>(),
        }
    }

    /// The cheapest hypercube for primary `cell` (against the contributor of singleton `known`, when given)
    /// with `corners`, and whether it protects the cell on its own; `None` for a cell that is no primary or
    /// has no hypercube at all.
    fn search(
        &self,
        cell: u32,
        known: Option<u32>,
        suppressed: &[bool],
        corners: hypercube::Corners,
        tol: f64,
    ) -> Option<(hypercube::Cube, bool)> {
        self.search_among(cell, known, suppressed, corners, tol, &[], f64::INFINITY)
    }

    /// [`Searcher::search`] without the cells `banned` as corners, and with only cells that cost less than `cap`
    /// among those not yet suppressed.
    #[allow(clippy::too_many_arguments)]
    fn search_among(
        &self,
        cell: u32,
        known: Option<u32>,
        suppressed: &[bool],
        corners: hypercube::Corners,
        tol: f64,
        banned: &[u32],
        cap: f64,
    ) -> Option<(hypercube::Cube, bool)> {
        let l = self.setup.levels.get(cell as usize).copied().flatten()?;
        let allow = self.allowed(cell);
        let mut found = None;
        // A pattern made smaller keeps to the singletons' rule: a replacement that leans on a singleton
        // would trade a protected primary for one its neighbour's contributor can compute.
        let choices: &[&Vec<hypercube::Choice>] = if corners == hypercube::Corners::Suppressed {
            &[&self.wary]
        } else {
            &[&self.wary, &self.plain]
        };
        for &choice in choices {
            let s = self.view(choice, &allow, known, banned, cap, corners);
            match s.best(cell, &l, suppressed, tol) {
                Some((cube, true)) => return Some((cube, true)),
                Some(other) if found.is_none() => found = Some(other),
                _ => {}
            }
        }
        found
    }

    /// The table as a search with these choices and limits sees it (see [`hypercube::Search`]).
    fn view<'b>(
        &'b self,
        choice: &'b [hypercube::Choice],
        allow: &'b [u32],
        known: Option<u32>,
        banned: &'b [u32],
        cap: f64,
        corners: hypercube::Corners,
    ) -> hypercube::Search<'b> {
        hypercube::Search {
            table: self.table,
            values: &self.setup.values,
            lower_bound: self.setup.lower_bound,
            choice,
            reluctance: self.reluctance,
            allow,
            known,
            banned,
            cap,
            corners,
        }
    }

    /// The singletons whose cells primary `cell`'s protection may lean on: its own, and those nested with it
    /// (their contributors are among its own units, which its levels allow for).
    fn allowed(&self, cell: u32) -> Vec<u32> {
        (self.singletons.iter().copied())
            .filter(|&s| s == cell || linear::nested(self.table, s, cell))
            .collect()
    }

    /// The cheapest flow that protects primary `cell` on its own (see [`flow`]), avoiding the other singletons
    /// as the hypercubes first do; `None` when its neighbourhood holds none.
    fn flow(&self, cell: u32, suppressed: &[bool]) -> Option<flow::Flow> {
        let levels = self.setup.levels.get(cell as usize).copied().flatten()?;
        let allow = self.allowed(cell);
        let search = self.view(
            &self.wary,
            &allow,
            None,
            &[],
            f64::INFINITY,
            hypercube::Corners::Any,
        );
        let (relations, by_cell) = (&self.setup.relations, &self.setup.by_cell);
        flow::cheapest(&search, relations, by_cell, cell, &levels, suppressed)
    }

    /// Hypercubes of cheaper cells that together protect primary `cell`, when together they cost less than
    /// `single`, its cheapest hypercube. A large cell dominated by one unit needs a room that its small
    /// neighbours have only together: one hypercube would reach up to a large total for it, several small ones
    /// do not. The cubes share no corner but the primary, so their rooms add up (each moves its own cells, the
    /// primary moves by their sum, within its own room). `None` when no such bundle is cheaper.
    fn bundle(
        &self,
        cell: u32,
        single: &hypercube::Cube,
        suppressed: &[bool],
        costs: &[f64],
        tol: f64,
    ) -> Option<Vec<hypercube::Cube>> {
        let levels = self.setup.levels.get(cell as usize).copied().flatten()?;
        let fresh = |c: u32| c != cell && !suppressed.get(c as usize).copied().unwrap_or(true);
        // The costliest cell the single cube adds: the bundle takes only cheaper ones.
        let cap = (single.corners.iter())
            .filter(|&&(c, _)| fresh(c))
            .filter_map(|&(c, _)| costs.get(c as usize).copied())
            .fold(f64::NEG_INFINITY, f64::max);
        // Only where the single cube reaches for cells far larger than the primary (its costliest new corner
        // costs more than BUNDLE_FROM times the primary): elsewhere one cube is as cheap, and quicker.
        if cap <= BUNDLE_FROM * costs.get(cell as usize).copied().unwrap_or(0.0).max(0.0) {
            return None;
        }
        let own = self.setup.values.get(cell as usize).copied()? - self.setup.lower_bound;
        let mut trial = suppressed.to_vec();
        let mut banned = Vec::new();
        let (mut up, mut down, mut cost) = (0.0, 0.0, 0.0);
        let mut out = Vec::new();
        for _ in 0..BUNDLE {
            let (cube, _) = self.search_among(
                cell,
                None,
                &trial,
                hypercube::Corners::Any,
                tol,
                &banned,
                cap,
            )?;
            let gained_down = cube.down.min(own - down).max(0.0);
            if cube.up <= tol && gained_down <= tol {
                return None;
            }
            (up, down, cost) = (up + cube.up, down + gained_down, cost + cube.cost);
            if cost >= single.cost {
                return None;
            }
            for &(c, _) in &cube.corners {
                if c != cell {
                    banned.push(c);
                    if let Some(t) = trial.get_mut(c as usize) {
                        *t = true;
                    }
                }
            }
            out.push(cube);
            if hypercube::reaches(up, down, &levels, tol) {
                return Some(out);
            }
        }
        None
    }
}

/// Protects `table`, checked into `report` under a policy whose `[suppression]` is `params`. `progress(done,
/// total)` counts the primaries given a hypercube, then, for `optimal`, the work its search has spent of its
/// budget.
pub fn protect(
    table: &Table,
    report: &TableReport,
    params: &Suppression,
    options: Options,
    progress: impl FnMut(usize, usize),
) -> Result<Protection, Error> {
    let setup = Setup::new(table, report, params)?;
    run(table, &setup, params, options, progress)
}

/// [`protect`] from its setup (a single table's, or linked tables' cover). A forced cell costs nothing: it is
/// suppressed whatever the pattern.
fn run(
    table: &Table,
    setup: &Setup,
    params: &Suppression,
    options: Options,
    mut progress: impl FnMut(usize, usize),
) -> Result<Protection, Error> {
    let costs = setup.costs(table, options.cost);
    // Every primary is suppressed from the start, so these are all the one-unit primaries.
    let primaries: Vec<bool> = setup.levels.iter().map(Option::is_some).collect();
    let singletons = setup.singletons(table, params, &primaries);
    let searcher = Searcher::new(setup, table, &costs, &singletons);
    let mut pattern = fast(&searcher, &costs, &mut progress)?;
    let optimality = match options.method {
        Method::Fast => None,
        Method::Optimal if setup.forced.contains(&true) => {
            return Err(Error::Shape(
                "the optimal method does not protect linked tables yet: use the fast method, whose pattern the joint audit proves".into(),
            ));
        }
        Method::Optimal => Some(optimal::improve(
            &searcher,
            &costs,
            &mut pattern,
            options.time_limit,
            &mut progress,
        )?),
    };
    Ok(finish(&searcher, &costs, pattern, options, optimality))
}

/// A pattern on its way: per cell whether it is suppressed, per primary the corners its protection leans on,
/// and how the method went.
struct Pattern {
    suppressed: Vec<bool>,
    cubes: Vec<Vec<u32>>,
    unprotectable: Vec<u32>,
    rounds: u32,
    audit: Audit,
    pruned_whole: bool,
}

/// The `fast` method: a hypercube per primary (or a bundle of cheaper ones; or, where they cost more than
/// FLOW_FROM times the primary, the cheapest flow when it costs less), the costliest secondaries published again
/// where another hypercube among the suppressed cells will do, the audit's short primaries sent back for more,
/// and the pattern pruned by the audit itself.
fn fast(
    searcher: &Searcher,
    costs: &[f64],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Pattern, Error> {
    let (setup, table, singletons) = (searcher.setup, searcher.table, searcher.singletons);
    let levels = &setup.levels;
    let mut suppressed: Vec<bool> = (levels.iter().enumerate())
        .map(|(c, l)| l.is_some() || setup.is_forced(c as u32))
        .collect();
    let tol = setup.tol();

    // The corners each primary's protection leans on (its hypercube, and what later rounds add).
    let mut cubes: Vec<Vec<u32>> = vec![Vec::new(); table.len()];
    let mut unprotectable = Vec::new();
    // The hardest primaries first (largest level), then in cell order.
    let mut order: Vec<u32> = (0..table.len() as u32)
        .filter(|&c| levels.get(c as usize).is_some_and(Option::is_some))
        .collect();
    let need = |c: u32| {
        levels
            .get(c as usize)
            .copied()
            .flatten()
            .map_or(0.0, |l| l.upper.max(l.lower))
    };
    order.sort_by(|&a, &b| need(b).total_cmp(&need(a)).then(a.cmp(&b)));
    let search =
        |cell: u32, known: Option<u32>, suppressed: &[bool], corners: hypercube::Corners| {
            searcher.search(cell, known, suppressed, corners, tol)
        };

    let total = order.len();
    for (i, &cell) in order.iter().enumerate() {
        // The cheapest hypercube, or a bundle of cheaper ones; where they reach for cells far costlier than the
        // primary (or protect it not at all), the cheapest flow when it costs less.
        let mut chosen =
            search(cell, None, &suppressed, hypercube::Corners::Any).map(|(cube, protects)| {
                let cubes = protects
                    .then(|| searcher.bundle(cell, &cube, &suppressed, costs, tol))
                    .flatten()
                    .unwrap_or_else(|| vec![cube]);
                let cost = cubes.iter().map(|c| c.cost).sum::<f64>();
                let mut corners: Vec<u32> = (cubes.iter())
                    .flat_map(|cube| cube.corners.iter().map(|&(c, _)| c))
                    .collect();
                corners.sort_unstable();
                corners.dedup();
                (corners, cost, protects)
            });
        let own = costs.get(cell as usize).copied().unwrap_or(0.0).max(0.0);
        if chosen
            .as_ref()
            .is_none_or(|&(_, cost, protects)| !protects || cost > FLOW_FROM * own)
        {
            if let Some(f) = searcher.flow(cell, &suppressed) {
                if chosen
                    .as_ref()
                    .is_none_or(|&(_, cost, protects)| !protects || f.cost < cost)
                {
                    chosen = Some((f.cells, f.cost, true));
                }
            }
        }
        match chosen {
            Some((corners, _, protects)) => {
                for &c in &corners {
                    if let Some(s) = suppressed.get_mut(c as usize) {
                        *s = true;
                    }
                }
                if let Some(slot) = cubes.get_mut(cell as usize) {
                    *slot = corners;
                }
                if !protects {
                    unprotectable.push(cell);
                }
            }
            None => unprotectable.push(cell),
        }
        progress(i + 1, total);
    }
    // Smaller: each secondary, the costliest first, is published again when every primary whose hypercube
    // leans on it finds another among the cells still suppressed.
    let mut leaning = leaning(&cubes);
    for c in secondaries_costliest_first(&suppressed, levels, &setup.forced, costs) {
        let Some(users) = leaning.get(c as usize).cloned() else {
            continue;
        };
        if users.iter().any(|u| unprotectable.contains(u)) {
            continue;
        }
        if let Some(s) = suppressed.get_mut(c as usize) {
            *s = false;
        }
        let mut replaced = Vec::with_capacity(users.len());
        for &p in &users {
            match search(p, None, &suppressed, hypercube::Corners::Suppressed) {
                Some((cube, true)) => replaced.push((p, cube)),
                _ => break,
            }
        }
        if replaced.len() < users.len() {
            if let Some(s) = suppressed.get_mut(c as usize) {
                *s = true;
            }
            continue;
        }
        for (p, cube) in replaced {
            let corners: Vec<u32> = cube.corners.iter().map(|&(x, _)| x).collect();
            if let Some(old) = cubes.get(p as usize) {
                for &x in old {
                    if let Some(l) = leaning.get_mut(x as usize) {
                        l.retain(|&q| q != p);
                    }
                }
            }
            for &x in &corners {
                if let Some(l) = leaning.get_mut(x as usize) {
                    l.push(p);
                }
            }
            if let Some(slot) = cubes.get_mut(p as usize) {
                *slot = corners;
            }
        }
    }
    // The audit's check of every primary; a primary it finds short gets another hypercube (with the cells
    // already suppressed free), up to ROUNDS rounds.
    let mut rounds = 1;
    let primaries: Vec<u32> = (0..table.len() as u32)
        .filter(|&c| levels.get(c as usize).is_some_and(Option::is_some))
        .collect();
    // Tables that prove primaries protected: each round's pattern suppresses more, so they stay tables of it.
    let mut witnesses = check::Witnesses::default();
    // Primaries whose protection rests on the audit, not on hypercubes of their own: those it found short.
    let mut short = Vec::new();
    let audit = loop {
        let audit = check::check(
            &setup.input(table, &suppressed, singletons),
            &primaries,
            &mut witnesses,
            check::Wanted::All,
        )?;
        if audit.passed() || rounds >= ROUNDS {
            break audit;
        }
        rounds += 1;
        short.extend(audit.failures.iter().map(|f| f.cell));
        let before = suppressed.clone();
        // Each primary left short gets more hypercubes beside those it has, until their rooms on the side it
        // lacks add up to what it lacks (the audit judges them together).
        for f in &audit.failures {
            let lacking = match f.shortfall {
                Shortfall::Upper { needed, reach } | Shortfall::Lower { needed, reach } => {
                    needed - reach
                }
                Shortfall::Sliding { needed, width } => needed - width,
                Shortfall::Exact => 0.0,
            };
            let mut gained = 0.0;
            for _ in 0..MORE_CUBES {
                let Some((cube, _)) = search(f.cell, f.known, &suppressed, hypercube::Corners::New)
                else {
                    break;
                };
                gained += match f.shortfall {
                    Shortfall::Upper { .. } => cube.up,
                    Shortfall::Lower { .. } => cube.down,
                    _ => cube.up + cube.down,
                };
                for &(c, _) in &cube.corners {
                    if let Some(s) = suppressed.get_mut(c as usize) {
                        *s = true;
                    }
                    if let Some(list) = cubes.get_mut(f.cell as usize) {
                        if !list.contains(&c) {
                            list.push(c);
                        }
                    }
                }
                if gained > lacking {
                    break;
                }
            }
        }
        if suppressed == before {
            break audit; // nothing more to add: the failures stand
        }
    };
    let mut pruned_whole = false;
    if audit.passed() {
        let base = setup.input(table, &[], singletons);
        let budget = (PRUNE_WORK * audit.work).max(PRUNE_WORK_MIN);
        // Also those whose hypercubes lean on a one-unit cell: against its contributor they protect nothing.
        let mut audit_alone = vec![false; table.len()];
        for &p in short.iter().chain(&unprotectable) {
            if let Some(m) = audit_alone.get_mut(p as usize) {
                *m = true;
            }
        }
        let bare: Vec<u32> = (primaries.iter().copied())
            .filter(|&p| {
                audit_alone.get(p as usize) == Some(&true)
                    || cubes.get(p as usize).is_some_and(|corners| {
                        corners
                            .iter()
                            .any(|&c| c != p && singletons.binary_search(&c).is_ok())
                    })
            })
            .collect();
        pruned_whole = prune(
            &base,
            &mut suppressed,
            (&setup.forced, costs, &cubes),
            (&mut witnesses, bare),
            budget,
        )?;
    }
    // The pattern's own audit: every suppressed cell's interval.
    let audit = audit::audit(&setup.input(table, &suppressed, singletons))?;
    Ok(Pattern {
        suppressed,
        cubes,
        unprotectable,
        rounds,
        audit,
        pruned_whole,
    })
}

/// The protection of a finished pattern: roles, cost, and per secondary the primaries it protects.
fn finish(
    searcher: &Searcher,
    costs: &[f64],
    pattern: Pattern,
    options: Options,
    optimality: Option<optimal::Optimality>,
) -> Protection {
    let Pattern {
        suppressed,
        mut cubes,
        mut unprotectable,
        rounds,
        audit,
        pruned_whole,
    } = pattern;
    let (setup, table) = (searcher.setup, searcher.table);
    let levels = &setup.levels;
    if optimality.as_ref().is_some_and(|o| o.changed) {
        // Another pattern: each primary's hypercube among its suppressed cells, where it has one.
        let tol = setup.tol();
        for (p, slot) in cubes.iter_mut().enumerate() {
            *slot = match searcher.search(
                p as u32,
                None,
                &suppressed,
                hypercube::Corners::Suppressed,
                tol,
            ) {
                Some((cube, true)) => cube.corners.iter().map(|&(c, _)| c).collect(),
                _ => Vec::new(),
            };
        }
    }
    // A pruned secondary no longer protects anyone.
    for corners in cubes.iter_mut() {
        corners.retain(|&c| suppressed.get(c as usize) == Some(&true));
    }
    unprotectable.sort_unstable();
    let roles: Vec<Role> = suppressed
        .iter()
        .zip(levels)
        .map(|(&s, l)| match (s, l) {
            (_, Some(_)) => Role::Primary,
            (true, None) => Role::Secondary,
            (false, None) => Role::Published,
        })
        .collect();
    let cost = roles
        .iter()
        .zip(costs)
        .filter(|(r, _)| **r != Role::Published)
        // From +0 (a sum of f64 starts at −0, which a pattern of no cells would print).
        .fold(0.0, |a, (_, c)| a + c);
    // A secondary protects the primaries whose hypercubes lean on it.
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); table.len()];
    for (p, corners) in cubes.iter().enumerate() {
        for &c in corners {
            if roles.get(c as usize) == Some(&Role::Secondary) {
                if let Some(list) = by.get_mut(c as usize) {
                    list.push(p as u32);
                }
            }
        }
    }
    // A secondary no hypercube leans on protects the primaries its component holds: the audit needs it there.
    if roles
        .iter()
        .zip(&by)
        .any(|(&r, l)| r == Role::Secondary && l.is_empty())
    {
        let input = setup.input(table, &suppressed, &[]);
        for component in audit::components(&input) {
            let held: Vec<u32> = component
                .iter()
                .copied()
                .filter(|&c| roles.get(c as usize) == Some(&Role::Primary))
                .collect();
            for &c in &component {
                if roles.get(c as usize) == Some(&Role::Secondary) {
                    if let Some(list) = by.get_mut(c as usize).filter(|l| l.is_empty()) {
                        list.clone_from(&held);
                    }
                }
            }
        }
    }
    let protects = by
        .into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(c, list)| (c as u32, list))
        .collect();
    Protection {
        options,
        roles,
        levels: setup.levels.clone(),
        protects,
        audit,
        values: setup.values.clone(),
        cost,
        rounds,
        unprotectable,
        pruned_whole,
        optimality,
    }
}

/// What the pruning may spend, as a multiple of the work of the check that passed the pattern (variables per
/// program, added up): a small pattern is pruned whole, a large one's costliest secondaries first until the
/// budget is spent (a count, not a clock, so the pattern is the same on every machine).
const PRUNE_WORK: usize = 5;
/// ... and at least this much (a few thousand small programs), so a small table is pruned whole.
const PRUNE_WORK_MIN: usize = 500_000;

/// Publishes again each secondary, the costliest first, that the audit finds no primary needs (the
/// hypercubes lean on one witness per primary; the audit sees what several together give). A trial re-audits
/// only the primaries that could lose: those whose hypercube leans on the secondary, and those protected by the
/// audit alone (`bare`: short of their hypercubes at first, or leaning on a one-unit cell whose contributor
/// their hypercubes do not stop, or since an earlier trial; every other primary keeps its hypercube, all of
/// whose corners stay suppressed), in the components the secondary was in, until the first that loses. A trial
/// that lets one of them be computed exactly through relations left with one unknown each fails at once
/// (`check::computed_exactly`), without a program. The witnesses of earlier checks serve again where they leave
/// the secondary where it is (see `check::Witnesses`). Returns whether every secondary was tried.
fn prune(
    base: &audit::Input,
    suppressed: &mut [bool],
    (forced, costs, cubes): (&[bool], &[f64], &[Vec<u32>]),
    (witnesses, mut bare): (&mut check::Witnesses, Vec<u32>),
    budget: usize,
) -> Result<bool, Error> {
    let leaning = leaning(cubes);
    let secondaries = secondaries_costliest_first(suppressed, base.levels, forced, costs);
    let (mut spent, mut whole) = (0usize, true);
    for c in secondaries {
        if spent >= budget {
            whole = false;
            break;
        }
        let mut at_risk: Vec<u32> = leaning.get(c as usize).cloned().unwrap_or_default();
        at_risk.extend(bare.iter().copied());
        at_risk.sort_unstable();
        at_risk.dedup();
        if let Some(s) = suppressed.get_mut(c as usize) {
            *s = false;
        }
        // A primary computed exactly through relations left with one unknown each: no program needed (such a
        // primary is joined to `c`).
        if check::computed_exactly(
            &audit::Input {
                suppressed,
                ..*base
            },
            c,
            &at_risk,
        ) {
            if let Some(s) = suppressed.get_mut(c as usize) {
                *s = true;
            }
            continue;
        }
        // Only the components that held `c` change.
        let changed_part = audit::joined(
            &audit::Input {
                suppressed,
                ..*base
            },
            c,
        );
        at_risk.retain(|p| changed_part.binary_search(p).is_ok());
        let before = witnesses.clone();
        witnesses.publish(c);
        let from = witnesses.count();
        let trial = check::check(
            &audit::Input {
                suppressed,
                ..*base
            },
            &at_risk,
            witnesses,
            check::Wanted::First,
        )?;
        spent += trial.work;
        if trial.passed() {
            for p in leaning.get(c as usize).cloned().unwrap_or_default() {
                if !bare.contains(&p) {
                    bare.push(p);
                }
            }
        } else {
            if let Some(s) = suppressed.get_mut(c as usize) {
                *s = true;
            }
            let trial = std::mem::replace(witnesses, before);
            witnesses.keep_new(&trial, from);
        }
    }
    Ok(whole)
}

/// Audits a pattern made elsewhere: `suppressed` per cell; the primaries and their levels come from `report`.
/// A suppressed cell the check did not find unsafe needs no level, only to be audited. Returns the audit, the
/// primaries' levels and the table's figures.
pub fn audit_pattern(
    table: &Table,
    report: &TableReport,
    params: &Suppression,
    suppressed: &[bool],
) -> Result<Audited, Error> {
    let setup = Setup::new(table, report, params)?;
    let singletons = setup.singletons(table, params, suppressed);
    let mut a = audit::audit(&setup.input(table, suppressed, &singletons))?;
    // A primary left published is the plainest failure: its interval is its value.
    for (c, l) in setup.levels.iter().enumerate() {
        if l.is_some() && suppressed.get(c) != Some(&true) {
            a.failures.push(Failure {
                cell: c as u32,
                shortfall: Shortfall::Exact,
                known: None,
            });
        }
    }
    a.failures
        .sort_by_key(|f| (f.cell, f.known.map_or(0, |k| u64::from(k) + 1)));
    Ok(Audited {
        audit: a,
        levels: setup.levels,
        values: setup.values,
    })
}

/// A pattern made elsewhere, audited ([`audit_pattern`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Audited {
    pub audit: Audit,
    /// Per cell, a primary's levels.
    pub levels: Vec<Option<Levels>>,
    /// The table's figures.
    pub values: Vec<f64>,
}

/// The lower bound of every cell under `bounds`; a table with negative figures under `nonnegative` is an error.
fn bounds(table: &Table, values: &[f64], bounds: Bounds) -> Result<f64, Error> {
    if bounds == Bounds::Nonnegative {
        if let Some(c) = values.iter().position(|&v| v < 0.0) {
            return Err(Error::Shape(format!(
                "table `{}`, row {} ({}): the figure {} is negative but the policy's [suppression] bounds = \"nonnegative\"; use \"auto\" or \"free\"",
                table.name,
                table.row(c as u32),
                table.describe(c as u32),
                values.get(c).copied().unwrap_or(0.0)
            )));
        }
    }
    Ok(linear::lower_bounds(values, bounds))
}

/// Per cell, a primary's levels: cells the check found `unsafe` or left to `review`, and cells declared unsafe.
/// A structural zero is known by definition and is never a primary; a primary declared `protected` is an error.
fn primaries(
    table: &Table,
    report: &TableReport,
    values: &[f64],
    lower_bound: f64,
    params: &Suppression,
) -> Result<Vec<Option<Levels>>, Error> {
    if report.len() != table.len() {
        return Err(Error::Shape(format!(
            "table `{}` has {} cells but its report {}",
            table.name,
            table.len(),
            report.len()
        )));
    }
    report
        .cells()
        .enumerate()
        .map(|(c, cell)| {
            let apriori = table.apriori(c as u32);
            let primary = cell.status != Status::Safe || apriori == Some(Apriori::Unsafe);
            if !primary || apriori == Some(Apriori::Structural) {
                return Ok(None);
            }
            if apriori == Some(Apriori::Protected) {
                return Err(Error::Shape(format!(
                    "table `{}`, row {} ({}): the cell is {} but declared `protected` (must be published); a cell cannot be both",
                    table.name,
                    cell.row,
                    table.describe(c as u32),
                    cell.status.as_str()
                )));
            }
            let value = values.get(c).copied().unwrap_or(0.0);
            let firing: Vec<_> = cell
                .findings
                .iter()
                .filter(|f| f.status != Status::Safe)
                .copied()
                .collect();
            Ok(Some(levels::of_cell(&firing, value, value - lower_bound, params)))
        })
        .collect()
}

#[cfg(test)]
mod tests;

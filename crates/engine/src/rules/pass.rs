//! The checking pass: the group rules over the table's relations first, then one pass over the cells in chunks
//! (natively on the threads of a pool), each cell running the rules its first look flagged in report order; the
//! chunks' verdicts are joined in cell order, so the report does not depend on the threads.

use super::magnitude::{clean_magnitudes, magnitudes};
use super::screen::{Flags, Screen};
use super::{
    Columns, Finding, RuleCode, Status, additivity, apriori, class_disclosure, consistency, dof,
    dominance, grid, missing, negative, num, p_percent, threshold, uses, verdict, zero,
};
use crate::Error;
use crate::policy::Policy;
use crate::report::TableReport;
use crate::table::Table;
use std::ops::Range;

/// Findings of the rules that look at groups of cells (class disclosure, additivity), sorted by cell; merged into
/// the cell pass at the rule's place.
pub(super) struct GroupFindings {
    cells: Vec<u32>,
    findings: std::vec::IntoIter<Finding>,
    at: usize,
}

impl GroupFindings {
    fn new(mut found: Vec<(u32, Finding)>) -> Self {
        // Stable: a cell's findings keep their dimension order.
        if !found.is_sorted_by_key(|(c, _)| *c) {
            found.sort_by_key(|(c, _)| *c);
        }
        let cells = found.iter().map(|(c, _)| *c).collect();
        let findings: Vec<Finding> = found.into_iter().map(|(_, f)| f).collect();
        GroupFindings {
            cells,
            findings: findings.into_iter(),
            at: 0,
        }
    }

    /// One list per chunk of cells (the chunks in order, covering the table).
    fn split(self, chunks: &[std::ops::Range<usize>]) -> Vec<GroupFindings> {
        let mut all = self.cells.into_iter().zip(self.findings).peekable();
        chunks
            .iter()
            .map(|r| {
                let mut found = Vec::new();
                while let Some(x) = all.next_if(|(c, _)| (*c as usize) < r.end) {
                    found.push(x);
                }
                GroupFindings::new(found)
            })
            .collect()
    }

    /// Sets [`Screen::GROUP`] in `may` (one entry per cell of `block`) for the cells of `block` with a finding
    /// waiting.
    fn mark(&self, block: Range<usize>, may: &mut [Flags]) {
        for &c in self.cells.get(self.at..).unwrap_or(&[]) {
            let Some(j) = (c as usize).checked_sub(block.start) else {
                continue;
            };
            match may.get_mut(j) {
                Some(m) => *m |= Screen::GROUP,
                None => break,
            }
        }
    }

    /// Whether a finding for `cell` is waiting.
    #[inline]
    fn has(&self, cell: u32) -> bool {
        self.cells.get(self.at).is_some_and(|&c| c <= cell)
    }

    fn drain_into(&mut self, cell: u32, out: &mut Vec<Finding>) {
        while self.has(cell) {
            self.at += 1;
            if let Some(f) = self.findings.next() {
                out.push(f);
            }
        }
    }
}

/// Runs every rule of `policy` over `table`.
///
/// One pass over the cells: per cell the rules run in report order (missing, negative, consistency, zero,
/// threshold, dominance, p %, pq, class disclosure, dof, additivity, then the declared status), so findings come out grouped
/// by cell and the counts by status and rule are made on the way. The rules that compare a cell with its group
/// (class disclosure, additivity) run first over the table's additive relations and are merged in.
///
/// Errors only when the policy needs columns the table lacks (e.g. dominance (2, k) on a magnitude table with a
/// `top1` column only); the message names the rule and the columns.
pub fn check_table(table: &Table, policy: &Policy) -> Result<TableReport, Error> {
    check(table, policy, true)
}

/// [`check_table`]; with `screen` off every cell goes through every per-cell rule (tests compare the two).
pub(super) fn check(table: &Table, policy: &Policy, screen: bool) -> Result<TableReport, Error> {
    policy.validate()?;
    let s = table.shadow();
    let magnitude = s.value.is_some();
    let need = policy.top_needed() as usize;
    if magnitude && need > s.top.len() {
        let mut who = Vec::new();
        for d in &policy.dominance {
            if d.n as usize > s.top.len() {
                who.push(format!(
                    "dominance ({}, {}) needs {}",
                    d.n,
                    num(d.k),
                    top_names(d.n as usize)
                ));
            }
        }
        if policy.p_percent.is_some() && s.top.len() < 2 {
            who.push(format!("p-percent needs {}", top_names(2)));
        }
        if policy.pq.is_some() && s.top.len() < 2 {
            who.push(format!("pq needs {}", top_names(2)));
        }
        return Err(Error::MissingColumns {
            table: table.name.clone(),
            message: format!(
                "{}; the table has {}; tabulate with enough top contributions or use a policy without these rules",
                who.join("; "),
                if s.top.is_empty() {
                    "no top columns".to_string()
                } else {
                    top_names(s.top.len())
                }
            ),
        });
    }
    let (mut uses, dof) = uses::rule_uses(table, policy);
    uses.sort_by_key(|u| u.rule);

    let magnitude_rules = magnitude
        && (!policy.dominance.is_empty() || policy.p_percent.is_some() || policy.pq.is_some());
    let ctx = Pass {
        table,
        policy,
        need,
        dof,
        missing_action: policy.missing.into(),
        missing_rows_action: policy.missing_rows.into(),
        negative_action: policy.negative.into(),
        inconsistent: policy.inconsistent.into(),
        sampling_zero: policy.zero.sampling.into(),
        magnitude_rules,
        screen,
        first_look: Screen::new(
            policy,
            need,
            magnitude_rules,
            s.numbers,
            s.weight.is_some() || !s.top_weight.is_empty(),
        ),
    };
    let cells = table.len();
    let chunks = chunks(cells);
    // The group rules first (each on a thread of its own when the table is large), then the cell pass, its
    // chunks on threads: the results are joined in cell order, so the report does not depend on the threads.
    // Class disclosure's parts of a group it cannot weigh (a part's or the head's `n` missing) get the
    // `missing` action.
    let class = policy
        .class_disclosure
        .as_ref()
        .map(|c| (c, Status::from(policy.missing)));
    let (class, additive) = match grid::run(table, class, policy.additivity.into()) {
        Some(found) => found,
        None => both(
            chunks.len() > 1,
            || match class {
                Some((c, undecided)) => class_disclosure::run(table, c, undecided),
                None => Vec::new(),
            },
            || additivity::run(table, policy.additivity.into()),
        ),
    };
    let class = GroupFindings::new(class).split(&chunks);
    let additive = GroupFindings::new(additive).split(&chunks);
    let jobs: Vec<_> = chunks.into_iter().zip(class).zip(additive).collect();
    let done = run_all(jobs, |((range, class), additive)| {
        ctx.run(range, class, additive)
    });
    // The statuses are joined (a byte a cell); the chunks' findings stay in their own arrays.
    let mut status = Vec::with_capacity(cells);
    let mut segments = Vec::with_capacity(done.len());
    let (mut by_status, mut by_rule) = ([0u64; 3], [0u64; RuleCode::ALL.len()]);
    for chunk in done {
        if status.is_empty() {
            status = chunk.status;
            status.reserve(cells - status.len());
        } else {
            status.extend_from_slice(&chunk.status);
        }
        segments.push((chunk.offsets, chunk.findings));
        for (a, b) in by_status.iter_mut().zip(chunk.by_status) {
            *a += b;
        }
        for (a, b) in by_rule.iter_mut().zip(chunk.by_rule) {
            *a += b;
        }
    }
    Ok(TableReport::new(
        table,
        uses,
        (status, segments),
        by_status,
        by_rule,
    ))
}

/// Cells screened together, column by column (small enough for their columns to stay in the first-level cache).
pub(super) const SCREEN_BLOCK: usize = 512;

/// Cells checked before a chunk's findings are sized for the rest.
pub(super) const SAMPLE_CELLS: usize = 4096;

/// What the cell pass needs, shared by its chunks.
pub(super) struct Pass<'a> {
    table: &'a Table,
    policy: &'a Policy,
    need: usize,
    dof: Option<&'a crate::policy::Dof>,
    missing_action: Status,
    missing_rows_action: Status,
    negative_action: Status,
    inconsistent: Status,
    sampling_zero: Status,
    magnitude_rules: bool,
    screen: bool,
    first_look: Screen,
}

/// The verdicts on a range of cells: offsets into the chunk's own findings (0, then one per cell: the end of the
/// cell's findings).
pub(super) struct Chunk {
    status: Vec<Status>,
    offsets: Vec<u32>,
    findings: Vec<Finding>,
    by_status: [u64; 3],
    by_rule: [u64; RuleCode::ALL.len()],
}

impl Pass<'_> {
    fn run(
        &self,
        range: std::ops::Range<usize>,
        mut class: GroupFindings,
        mut additive: GroupFindings,
    ) -> Chunk {
        let cols = Columns::of(self.table);
        let cells = range.len();
        // Small until the sample sizes it: growing copies the whole old allocation, used or not.
        let mut findings: Vec<Finding> = Vec::with_capacity(cells.min(SAMPLE_CELLS) / 4);
        let mut offsets: Vec<u32> = Vec::with_capacity(cells + 1);
        let mut status: Vec<Status> = Vec::with_capacity(cells);
        let mut by_status = [0u64; 3];
        // Cells by the set of rules that fired on them (a bit per rule), counted per rule at the end: one count a
        // cell, with no loop over its rules.
        let mut rule_sets = vec![0u64; 1 << RuleCode::ALL.len()];
        offsets.push(0);
        // Once a sample of cells is checked, the findings are sized for the whole chunk from the sample's rate
        // (growing a few million findings by doubling would copy them all once more).
        let mut sized = false;
        // A cell no per-cell rule may fire on, with no group finding, no dof rule and no declared status, is safe
        // without looking further (most cells).
        let plain = (self.dof.is_none() || cols.dof.is_none()) && cols.apriori.is_none();
        let mut may_block = Vec::new();
        // One record of a cell's magnitudes, filled in place for each cell the magnitude rules judge.
        let mut m = super::magnitude::Magnitudes::default();
        // Per block: the cells to look at, and each one's end in the findings (0 for the others).
        let (mut hot, mut ends) = (Vec::<u32>::new(), Vec::<u32>::new());
        let mut block_start = range.start;
        #[cfg(test)]
        let screen_block = TEST_BLOCK
            .with(std::cell::Cell::get)
            .unwrap_or(SCREEN_BLOCK);
        #[cfg(not(test))]
        let screen_block = SCREEN_BLOCK;
        while block_start < range.end {
            let block = block_start..(block_start + screen_block).min(range.end);
            block_start = block.end;
            let done = block.start - range.start;
            if !sized && done >= SAMPLE_CELLS {
                sized = true;
                let rate = findings.len() as f64 / done as f64;
                let want = (rate * cells as f64 * 1.05) as usize;
                findings.reserve(want.saturating_sub(findings.len()));
            }
            if self.screen {
                self.first_look.block(&cols, block.clone(), &mut may_block);
            } else {
                may_block.clear();
                may_block.resize(block.len(), Screen::ALL);
            }
            if plain {
                class.mark(block.clone(), &mut may_block);
                additive.mark(block.clone(), &mut may_block);
            } else {
                may_block.iter_mut().for_each(|m| *m |= Screen::GROUP);
            }
            // The cells to look at, listed without a branch per cell (which cells they are is hard to predict).
            hot.clear();
            hot.resize(may_block.len(), 0);
            let mut count = 0;
            for (j, &may) in (0u32..).zip(&may_block) {
                if let Some(h) = hot.get_mut(count) {
                    *h = j;
                }
                count += usize::from(may != 0);
            }
            hot.truncate(count);
            ends.clear();
            ends.resize(may_block.len(), 0);
            let first = status.len();
            status.resize(first + may_block.len(), Status::Safe);
            if let Some(c) = by_status.get_mut(Status::Safe as usize) {
                *c += (may_block.len() - hot.len()) as u64;
            }
            for &j in &hot {
                let i = block.start + j as usize;
                let may = may_block.get(j as usize).copied().unwrap_or(Screen::ALL);
                let start = findings.len();
                if may & Screen::MISSING != 0 {
                    missing::cell(
                        &cols,
                        i,
                        self.need,
                        self.missing_action,
                        self.missing_rows_action,
                        &mut findings,
                    );
                }
                if may & Screen::NEGATIVE != 0 {
                    negative::cell(&cols, i, self.negative_action, &mut findings);
                }
                if may & Screen::CONSISTENCY != 0 {
                    consistency::cell(&cols, i, self.inconsistent, &mut findings);
                }
                if may & Screen::ZERO != 0 {
                    zero::cell(&cols, i, self.sampling_zero, &mut findings);
                }
                if let Some(t) = self
                    .policy
                    .threshold
                    .as_ref()
                    .filter(|_| may & Screen::THRESHOLD != 0)
                {
                    threshold::cell(cols.n(i), t, &mut findings);
                }
                let judged = self.magnitude_rules
                    && may & Screen::MAGNITUDE != 0
                    && if may & (Screen::MISSING | Screen::NEGATIVE | Screen::ZERO) == 0 {
                        clean_magnitudes(&cols, i, self.need, &mut m)
                    } else {
                        magnitudes(&cols, i, self.need, &mut m)
                    };
                if judged {
                    let m = &m;
                    for d in &self.policy.dominance {
                        dominance::cell(m, d, &mut findings);
                    }
                    if let Some(p) = &self.policy.p_percent {
                        p_percent::cell_p(m, p, &mut findings);
                    }
                    if let Some(pq) = &self.policy.pq {
                        p_percent::cell_pq(m, pq, &mut findings);
                    }
                }
                class.drain_into(i as u32, &mut findings);
                if let (Some(d), Some(col)) = (self.dof, cols.dof) {
                    dof::cell(col.get(i), d, self.missing_action, &mut findings);
                }
                additive.drain_into(i as u32, &mut findings);
                // The declared status last, over every other finding of the cell.
                if let Some(declared) = cols.apriori(i) {
                    let worst = findings
                        .get(start..)
                        .unwrap_or(&[])
                        .iter()
                        .map(|f| f.status)
                        .max()
                        .unwrap_or(Status::Safe);
                    apriori::cell(Some(declared), worst, &mut findings);
                }
                let cell_findings = findings.get(start..).unwrap_or(&[]);
                let st = verdict::cell_status(cell_findings);
                let seen = cell_findings
                    .iter()
                    .fold(0usize, |seen, f| seen | 1 << (f.rule as u32));
                if let Some(c) = rule_sets.get_mut(seen) {
                    *c += 1;
                }
                if let Some(c) = by_status.get_mut(st as usize) {
                    *c += 1;
                }
                if let Some(s) = status.get_mut(first + j as usize) {
                    *s = st;
                }
                if let Some(e) = ends.get_mut(j as usize) {
                    *e = findings.len() as u32;
                }
            }
            // A cell's findings end where the last cell looked at before it (or itself) left them.
            let mut end = offsets.last().copied().unwrap_or(0);
            offsets.extend(ends.iter().map(|&e| {
                end = end.max(e);
                end
            }));
        }
        let mut by_rule = [0u64; RuleCode::ALL.len()];
        for (set, &count) in rule_sets.iter().enumerate().filter(|(_, c)| **c > 0) {
            for (r, c) in by_rule.iter_mut().enumerate() {
                *c += count * ((set >> r) & 1) as u64;
            }
        }
        Chunk {
            status,
            offsets,
            findings,
            by_status,
            by_rule,
        }
    }
}

/// Cells per chunk of the cell pass: below this a table is checked on one thread.
pub(super) const CHUNK_MIN: usize = 1 << 16;

#[cfg(test)]
thread_local! {
    /// Tests cut the cell pass into chunks of this many cells, to compare with one chunk.
    pub(super) static TEST_CHUNK: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Tests screen blocks of this many cells, so blocks start and end inside the missing-entry bitmaps' words.
    pub(super) static TEST_BLOCK: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Threads worth using on a table of `cells` cells: one per available core (natively, up to 8), one per
/// [`CHUNK_MIN`] cells.
pub(super) fn threads_for(cells: usize) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    #[cfg(target_arch = "wasm32")]
    let cores = 1;
    cores.min(cells / CHUNK_MIN).max(1)
}

/// The chunks of the cell pass: one per thread worth using ([`threads_for`]).
pub(super) fn chunks(cells: usize) -> Vec<std::ops::Range<usize>> {
    let n = threads_for(cells);
    #[cfg(test)]
    let n = TEST_CHUNK
        .with(std::cell::Cell::get)
        .map_or(n, |c| cells.div_ceil(c).max(1));
    let per = cells.div_ceil(n).max(1);
    (0..n)
        .map(|k| (k * per).min(cells)..((k + 1) * per).min(cells))
        .collect()
}

/// Runs `a` and `b`, on two threads of the pool when `parallel` (natively).
pub(super) fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    if parallel {
        return rayon::join(a, b);
    }
    let _ = parallel;
    (a(), b())
}

/// Runs `f` on every job, on the threads of the pool (natively); results in job order.
pub(crate) fn run_all<J: Send, R: Send>(jobs: Vec<J>, f: impl Fn(J) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    if jobs.len() > 1 {
        use rayon::prelude::*;
        return jobs.into_par_iter().map(f).collect();
    }
    jobs.into_iter().map(f).collect()
}

pub(super) fn top_names(k: usize) -> String {
    (1..=k)
        .map(|i| format!("top{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

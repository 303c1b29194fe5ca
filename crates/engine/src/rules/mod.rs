//! Primary disclosure rules. Each rule is one module with its own doc (what it checks, why, parameters, example,
//! references) and tests; [`check_table`] runs the policy's rules over a table and returns its report.
//!
//! Architecture invariant: a rule never fails on a cell. A cell a rule cannot decide (a missing value, a negative
//! contribution) gets a finding of its own (`missing`, `negative`) that says why, and the rule skips that cell only.

mod additivity;
mod class_disclosure;
mod dof;
mod dominance;
pub mod explain;
mod missing;
mod negative;
mod p_percent;
mod threshold;
mod zero;

use crate::Error;
use crate::policy::{Action, Policy};
use crate::report::{RuleUse, TableReport};
use crate::table::{Apriori, Table};
use serde::{Deserialize, Serialize};

/// A cell's verdict. Ordered: `Safe` < `Review` < `Unsafe`; a cell takes the most severe of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Safe,
    Review,
    Unsafe,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Safe => "safe",
            Status::Review => "review",
            Status::Unsafe => "unsafe",
        }
    }
}

impl From<Action> for Status {
    fn from(a: Action) -> Self {
        match a {
            Action::Unsafe => Status::Unsafe,
            Action::Review => Status::Review,
            Action::Safe => Status::Safe,
        }
    }
}

/// Stable rule codes used in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleCode {
    Threshold,
    Dominance,
    PPercent,
    Pq,
    ClassDisclosure,
    Zero,
    Negative,
    Missing,
    Dof,
    Additivity,
    Apriori,
}

impl RuleCode {
    pub const ALL: [RuleCode; 11] = [
        RuleCode::Threshold,
        RuleCode::Dominance,
        RuleCode::PPercent,
        RuleCode::Pq,
        RuleCode::ClassDisclosure,
        RuleCode::Zero,
        RuleCode::Negative,
        RuleCode::Missing,
        RuleCode::Dof,
        RuleCode::Additivity,
        RuleCode::Apriori,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RuleCode::Threshold => "threshold",
            RuleCode::Dominance => "dominance",
            RuleCode::PPercent => "p-percent",
            RuleCode::Pq => "pq",
            RuleCode::ClassDisclosure => "class-disclosure",
            RuleCode::Zero => "zero",
            RuleCode::Negative => "negative",
            RuleCode::Missing => "missing",
            RuleCode::Dof => "dof",
            RuleCode::Additivity => "additivity",
            RuleCode::Apriori => "apriori",
        }
    }
}

/// The numbers behind a finding. Serialized as the finding's `values`; [`Finding::detail`] renders them in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Detail {
    Threshold {
        n: u64,
        min_units: u64,
    },
    Dominance {
        n: u32,
        k: f64,
        inclusive: bool,
        top_sum: f64,
        value: f64,
        share: f64,
    },
    PPercent {
        p: f64,
        value: f64,
        top1: f64,
        top2: f64,
        remainder: f64,
    },
    Pq {
        p: f64,
        q: f64,
        value: f64,
        top1: f64,
        top2: f64,
        remainder: f64,
    },
    ClassShare {
        dimension: String,
        n: u64,
        group_n: u64,
        share: f64,
        max_share: f64,
    },
    SingleCategory {
        dimension: String,
        group_n: u64,
        categories: u32,
    },
    SamplingZero,
    StructuralZero,
    Negative {
        value: Option<f64>,
        negative_units: Option<u64>,
        smallest_top: Option<f64>,
    },
    MissingShadow {
        column: String,
    },
    MissingRows {
        rows: u64,
    },
    Dof {
        dof: f64,
        min: f64,
    },
    AdditivityValue {
        dimension: String,
        value: f64,
        sum: f64,
        parts: u32,
    },
    AdditivityUnits {
        dimension: String,
        n: u64,
        sum: u64,
        max: u64,
        parts: u32,
    },
    DeclaredUnsafe,
    DeclaredSafe,
}

/// One rule firing on one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleCode,
    pub status: Status,
    pub values: Detail,
}

/// Percentages in details: one decimal, as a reviewer reads them.
fn pct(x: f64) -> String {
    format!("{x:.1} %")
}

/// Numbers as cellguard writes them, in details and files: whole numbers without a decimal part, other values
/// shortest round-trip.
pub fn num(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl Finding {
    /// The finding in words, with the numbers that made the rule fire.
    pub fn detail(&self) -> String {
        match &self.values {
            Detail::Threshold { n, min_units } => format!("{n} units < {min_units}"),
            Detail::Dominance {
                n,
                k,
                inclusive,
                share,
                ..
            } => {
                let who = if *n == 1 {
                    "top 1".to_string()
                } else {
                    format!("top {n}")
                };
                let op = if *inclusive { "≥" } else { ">" };
                format!("{who} = {} of value {op} {}", pct(*share), pct(*k))
            }
            Detail::PPercent {
                p, top1, remainder, ..
            } => format!(
                "value − top 1 − top 2 = {} < {} × top 1 = {}: the second-largest unit can estimate the largest within {}",
                num(*remainder),
                pct(*p),
                num(p / 100.0 * top1),
                pct(*p)
            ),
            Detail::Pq {
                p,
                q,
                top1,
                remainder,
                ..
            } => format!(
                "value − top 1 − top 2 = {} < p/q × top 1 = {}/{} × {} = {}",
                num(*remainder),
                num(*p),
                num(*q),
                num(*top1),
                num(p / q * top1)
            ),
            Detail::ClassShare {
                dimension,
                n,
                group_n,
                share,
                max_share,
            } => format!(
                "{n} of the {group_n} units along `{dimension}` = {} ≥ {}",
                pct(*share),
                pct(*max_share)
            ),
            Detail::SingleCategory {
                dimension,
                group_n,
                categories,
            } => format!(
                "only non-zero category of {categories} along `{dimension}`: all {group_n} units fall here"
            ),
            Detail::SamplingZero => {
                "0 units: an empty cell tells that no unit has this combination".into()
            }
            Detail::StructuralZero => "0 units, declared a structural zero".into(),
            Detail::Negative {
                value,
                negative_units,
                smallest_top,
            } => {
                let mut why = Vec::new();
                if let Some(v) = value.filter(|v| *v < 0.0) {
                    why.push(format!("value {} < 0", num(v)));
                }
                if let Some(u) = negative_units.filter(|u| *u > 0) {
                    why.push(format!("{u} units with a negative contribution"));
                }
                if let Some(t) = smallest_top.filter(|t| *t < 0.0) {
                    why.push(format!("a top contribution of {}", num(t)));
                }
                format!(
                    "{}: dominance and p % rules assume non-negative contributions; check by hand",
                    why.join(", ")
                )
            }
            Detail::MissingShadow { column } => {
                format!("`{column}` is missing: the rules that need it cannot decide")
            }
            Detail::MissingRows { rows } => {
                format!("{rows} rows had no value; the published statistic leaves them out")
            }
            Detail::Dof { dof, min } => {
                format!("{} residual degrees of freedom < {}", num(*dof), num(*min))
            }
            Detail::AdditivityValue {
                dimension,
                value,
                sum,
                parts,
            } => format!(
                "value {} ≠ {} = sum of its {parts} parts along `{dimension}`",
                num(*value),
                num(*sum)
            ),
            Detail::AdditivityUnits {
                dimension,
                n,
                sum,
                max,
                parts,
            } => {
                if n > sum {
                    format!(
                        "{n} units > {sum} = sum of the units of its {parts} parts along `{dimension}`"
                    )
                } else {
                    format!(
                        "{n} units < {max} units of one of its {parts} parts along `{dimension}`"
                    )
                }
            }
            Detail::DeclaredUnsafe => "declared unsafe in the status column".into(),
            Detail::DeclaredSafe => {
                "declared safe in the status column: the other findings are overridden".into()
            }
        }
    }
}

/// Findings of every cell, filled by the rules in turn: one flat list of `(cell, finding)` (no allocation per
/// cell), grouped by cell at the end with a counting pass that keeps the rules' order within a cell.
pub(crate) struct Sink {
    cells: usize,
    raw: Vec<(u32, Finding)>,
}

impl Sink {
    pub(crate) fn new(cells: usize) -> Self {
        Sink {
            cells,
            raw: Vec::with_capacity(cells / 4),
        }
    }

    pub(crate) fn push(&mut self, cell: u32, rule: RuleCode, status: Status, values: Detail) {
        if (cell as usize) < self.cells {
            self.raw.push((
                cell,
                Finding {
                    rule,
                    status,
                    values,
                },
            ));
        }
    }

    /// Per cell the start of its findings (plus one final end offset), and the findings grouped by cell.
    fn group(self) -> (Vec<u32>, Vec<Finding>) {
        let mut offsets = vec![0u32; self.cells + 1];
        for (cell, _) in &self.raw {
            if let Some(n) = offsets.get_mut(*cell as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..offsets.len() {
            let prev = offsets.get(i - 1).copied().unwrap_or(0);
            if let Some(o) = offsets.get_mut(i) {
                *o += prev;
            }
        }
        // Already grouped when one rule fired (or rules fired on disjoint, ascending cells): keep the order.
        if self
            .raw
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.0 <= b.0))
        {
            return (offsets, self.raw.into_iter().map(|(_, f)| f).collect());
        }
        let mut next: Vec<u32> = offsets.clone();
        let mut slots: Vec<Option<Finding>> = vec![None; self.raw.len()];
        for (cell, f) in self.raw {
            if let Some(at) = next.get_mut(cell as usize) {
                if let Some(slot) = slots.get_mut(*at as usize) {
                    *slot = Some(f);
                }
                *at += 1;
            }
        }
        (offsets, slots.into_iter().flatten().collect())
    }
}

/// The contributions a magnitude rule may use for a cell, or `None` when the cell is not decidable by magnitude
/// rules (no magnitude, missing values or negative contributions — other rules report those).
pub(crate) fn magnitudes(table: &Table, cell: u32, k: usize) -> Option<(f64, [f64; 8])> {
    let s = table.shadow();
    let i = cell as usize;
    let value = s.value.as_ref()?.get(i).copied().flatten()?;
    let n = s.n.get(i).copied().flatten()?;
    if !value.is_finite() || value < 0.0 || n == 0 {
        return None;
    }
    if s.n_negative
        .as_ref()
        .and_then(|v| v.get(i).copied().flatten())
        .is_some_and(|u| u > 0)
    {
        return None;
    }
    // Any negative contribution makes the magnitude rules undefined for the cell (the `negative` rule reports it).
    if s.top
        .iter()
        .any(|c| c.get(i).copied().flatten().is_some_and(|t| t < 0.0))
    {
        return None;
    }
    let mut top = [0.0f64; 8];
    for (j, slot) in top.iter_mut().enumerate().take(k) {
        match s.top.get(j).and_then(|c| c.get(i).copied().flatten()) {
            Some(t) if t.is_finite() && t >= 0.0 => *slot = t,
            Some(_) => return None,
            // A cell with j units or fewer has no (j+1)-th contribution.
            None if n <= j as u64 => *slot = 0.0,
            None => return None,
        }
    }
    Some((value, top))
}

/// Runs every rule of `policy` over `table`.
///
/// Errors only when the policy needs columns the table lacks (e.g. dominance (2, k) on a magnitude table with a
/// `top1` column only); the message names the rule and the columns.
pub fn check_table(table: &Table, policy: &Policy) -> Result<TableReport, Error> {
    policy.validate()?;
    let s = table.shadow();
    let mut uses = Vec::new();
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
    let mut sink = Sink::new(table.len());
    let not_magnitude = "frequency table: no value column";
    missing::run(table, need, policy.missing.into(), &mut sink);
    negative::run(table, policy.negative.into(), &mut sink);
    zero::run(table, policy.zero.sampling.into(), &mut sink);
    match &policy.threshold {
        Some(t) => {
            threshold::run(table, t, &mut sink);
            uses.push(RuleUse::applied(RuleCode::Threshold));
        }
        None => uses.push(RuleUse::off(RuleCode::Threshold)),
    }
    if policy.dominance.is_empty() {
        uses.push(RuleUse::off(RuleCode::Dominance));
    } else if magnitude {
        for d in &policy.dominance {
            dominance::run(table, d, &mut sink);
        }
        uses.push(RuleUse::applied(RuleCode::Dominance));
    } else {
        uses.push(RuleUse::not_applicable(RuleCode::Dominance, not_magnitude));
    }
    for (code, on) in [
        (RuleCode::PPercent, policy.p_percent.is_some()),
        (RuleCode::Pq, policy.pq.is_some()),
    ] {
        uses.push(match (on, magnitude) {
            (false, _) => RuleUse::off(code),
            (true, false) => RuleUse::not_applicable(code, not_magnitude),
            (true, true) => RuleUse::applied(code),
        });
    }
    if magnitude {
        if let Some(p) = &policy.p_percent {
            p_percent::run_p(table, p, &mut sink);
        }
        if let Some(pq) = &policy.pq {
            p_percent::run_pq(table, pq, &mut sink);
        }
    }
    match &policy.class_disclosure {
        Some(c) => {
            class_disclosure::run(table, c, &mut sink);
            uses.push(RuleUse::applied(RuleCode::ClassDisclosure));
        }
        None => uses.push(RuleUse::off(RuleCode::ClassDisclosure)),
    }
    match (&policy.dof, s.dof.is_some()) {
        (Some(d), true) => {
            dof::run(table, d, policy.missing.into(), &mut sink);
            uses.push(RuleUse::applied(RuleCode::Dof));
        }
        (Some(_), false) => uses.push(RuleUse::not_applicable(
            RuleCode::Dof,
            "no dof column (not a model output)",
        )),
        (None, _) => uses.push(RuleUse::off(RuleCode::Dof)),
    }
    additivity::run(table, policy.additivity.into(), &mut sink);
    for code in [
        RuleCode::Zero,
        RuleCode::Negative,
        RuleCode::Missing,
        RuleCode::Additivity,
    ] {
        uses.push(RuleUse::applied(code));
    }
    uses.sort_by_key(|u| u.rule);

    let (offsets, mut findings) = sink.group();
    let mut status = Vec::with_capacity(table.len());
    let apriori = s.apriori.as_ref();
    let mut extra: Vec<(u32, Finding)> = Vec::new();
    for (cell, w) in offsets.windows(2).enumerate() {
        let st = match *w {
            [a, b] if a < b => findings
                .get(a as usize..b as usize)
                .unwrap_or(&[])
                .iter()
                .map(|f| f.status)
                .max()
                .unwrap_or(Status::Safe),
            _ => Status::Safe,
        };
        let declared = apriori.and_then(|_| table.apriori(cell as u32));
        let st = match declared {
            Some(Apriori::Unsafe) => {
                extra.push((
                    cell as u32,
                    Finding {
                        rule: RuleCode::Apriori,
                        status: Status::Unsafe,
                        values: Detail::DeclaredUnsafe,
                    },
                ));
                Status::Unsafe
            }
            Some(Apriori::Safe) if st != Status::Safe => {
                extra.push((
                    cell as u32,
                    Finding {
                        rule: RuleCode::Apriori,
                        status: Status::Safe,
                        values: Detail::DeclaredSafe,
                    },
                ));
                Status::Safe
            }
            _ => st,
        };
        status.push(st);
    }
    let offsets = if extra.is_empty() {
        offsets
    } else {
        // A-priori findings go last in their cell: regroup with them.
        let mut sink = Sink::new(table.len());
        let mut extra = extra.into_iter().peekable();
        let mut drained = findings.drain(..);
        for (cell, w) in offsets.windows(2).enumerate() {
            if let [a, b] = *w {
                for _ in a..b {
                    if let Some(f) = drained.next() {
                        sink.raw.push((cell as u32, f));
                    }
                }
            }
            while let Some((_, f)) = extra.next_if(|(c, _)| *c as usize == cell) {
                sink.raw.push((cell as u32, f));
            }
        }
        drop(drained);
        let (o, f) = sink.group();
        findings = f;
        o
    };
    Ok(TableReport::new(table, uses, status, offsets, findings))
}

fn top_names(k: usize) -> String {
    (1..=k)
        .map(|i| format!("top{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Shared helpers for the rules' data-driven tests.
    use crate::table::{Dimension, Table, TableBuilder};

    /// A one-dimensional magnitude table: each entry is `(code, n, value, tops)`, plus a `Total` code.
    pub fn table(cells: &[(&str, u64, f64, &[f64])]) -> Table {
        let dim = Dimension::flat("d", cells.iter().map(|c| c.0.to_string()), Some("Total"));
        let mut b = TableBuilder::new();
        for (i, (code, n, v, top)) in cells.iter().enumerate() {
            let id = dim.id(code).unwrap_or(0);
            b = b.cell(i as u64 + 2, &[id], Some(*n), Some(*v), top);
        }
        b.build("t", vec![dim]).unwrap()
    }
}

#[cfg(test)]
mod sink_tests {
    use super::*;

    #[test]
    fn findings_group_by_cell_in_rule_order() {
        let mut s = Sink::new(4);
        // Two rules' passes: each in cell order, together not.
        s.push(
            2,
            RuleCode::Threshold,
            Status::Unsafe,
            Detail::Threshold {
                n: 1,
                min_units: 10,
            },
        );
        s.push(
            3,
            RuleCode::Threshold,
            Status::Unsafe,
            Detail::Threshold {
                n: 2,
                min_units: 10,
            },
        );
        s.push(0, RuleCode::Zero, Status::Review, Detail::SamplingZero);
        s.push(2, RuleCode::Zero, Status::Review, Detail::SamplingZero);
        s.push(9, RuleCode::Zero, Status::Review, Detail::SamplingZero); // outside the table: dropped
        let (offsets, findings) = s.group();
        assert_eq!(offsets, [0, 1, 1, 3, 4]);
        let rules: Vec<_> = findings.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            [
                RuleCode::Zero,
                RuleCode::Threshold,
                RuleCode::Zero,
                RuleCode::Threshold
            ]
        );
    }
}

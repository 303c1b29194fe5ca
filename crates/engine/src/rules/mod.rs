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
mod grid;
mod magnitude;
mod missing;
mod negative;
mod p_percent;
mod relations;
mod threshold;
mod zero;

use crate::Error;
use crate::exact::Numbers;
use crate::policy::{Action, Policy};
use crate::report::{RuleUse, TableReport};
use crate::table::{Apriori, Column, Table};
use magnitude::{Magnitudes, clean_magnitudes, magnitudes};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;

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

/// A dimension of the checked table, by position: the report's `dimensions` name it, as they name the code ids
/// of a cell's coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dim(pub u32);

/// A shadow column a cell lacks (`n`, `value`, `top1`…, `dof`), as reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShadowName {
    N,
    Value,
    /// `top{k}`, from 1.
    Top(u32),
    /// `top{k}_weight`, from 1: the sampling weight of the unit of `top{k}`.
    TopWeight(u32),
    Dof,
}

impl std::fmt::Display for ShadowName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShadowName::N => f.write_str("n"),
            ShadowName::Value => f.write_str("value"),
            ShadowName::Top(k) => write!(f, "top{k}"),
            ShadowName::TopWeight(k) => write!(f, "top{k}_weight"),
            ShadowName::Dof => f.write_str("dof"),
        }
    }
}

impl std::str::FromStr for ShadowName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "n" => Ok(ShadowName::N),
            "value" => Ok(ShadowName::Value),
            "dof" => Ok(ShadowName::Dof),
            _ => {
                let rank = |k: &str| {
                    Some(k)
                        .filter(|k| k.bytes().all(|b| b.is_ascii_digit()) && !k.starts_with('0'))
                        .and_then(|k| k.parse().ok())
                };
                let top = s.strip_prefix("top");
                top.and_then(|k| k.strip_suffix("_weight"))
                    .and_then(rank)
                    .map(ShadowName::TopWeight)
                    .or_else(|| top.and_then(rank).map(ShadowName::Top))
                    .ok_or_else(|| {
                        format!(
                            "`{s}` is not a shadow column (n, value, top1, top2, …, top1_weight, …, dof)"
                        )
                    })
            }
        }
    }
}

impl Serialize for ShadowName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ShadowName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The numbers behind a `negative` finding: the cell's value, its units with a negative contribution and its
/// smallest top contribution, each when the table has it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Negatives {
    /// Which of the three are known: bit 0 `value`, bit 1 `negative_units`, bit 2 `smallest_top`.
    known: u8,
    value: f64,
    negative_units: u64,
    smallest_top: f64,
}

impl Negatives {
    pub fn new(value: Option<f64>, negative_units: Option<u64>, smallest_top: Option<f64>) -> Self {
        Negatives {
            known: u8::from(value.is_some())
                | (u8::from(negative_units.is_some()) << 1)
                | (u8::from(smallest_top.is_some()) << 2),
            value: value.unwrap_or(0.0),
            negative_units: negative_units.unwrap_or(0),
            smallest_top: smallest_top.unwrap_or(0.0),
        }
    }
    pub fn value(&self) -> Option<f64> {
        (self.known & 1 != 0).then_some(self.value)
    }
    pub fn negative_units(&self) -> Option<u64> {
        (self.known & 2 != 0).then_some(self.negative_units)
    }
    pub fn smallest_top(&self) -> Option<f64> {
        (self.known & 4 != 0).then_some(self.smallest_top)
    }
}

/// The numbers behind a finding, as the checking pass stores them: no heap data and nothing a finding can
/// derive (a share, a remainder) or look up (a dimension's name), so a table's findings are a flat array of small
/// records. [`Detail::named`] gives the numbers as reports show them ([`NamedDetail`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
    },
    PPercent {
        p: f64,
        value: f64,
        top1: f64,
        top2: f64,
    },
    Pq {
        p: f64,
        q: f64,
        value: f64,
        top1: f64,
        top2: f64,
    },
    ClassShare {
        dimension: Dim,
        n: u64,
        group_n: u64,
        max_share: f64,
        inclusive: bool,
    },
    /// `n`: the units of the one non-empty part; `group_n`: the group's (its parent cell's when the table has
    /// it, which a person-year table or a total with units of no category can make larger).
    SingleCategory {
        dimension: Dim,
        n: u64,
        group_n: u64,
        categories: u32,
    },
    SamplingZero,
    StructuralZero,
    Negative(Negatives),
    MissingShadow {
        column: ShadowName,
    },
    MissingRows {
        rows: u64,
    },
    Dof {
        dof: f64,
        min: f64,
    },
    AdditivityValue {
        dimension: Dim,
        value: f64,
        sum: f64,
        parts: u32,
    },
    AdditivityUnits {
        dimension: Dim,
        n: u64,
        sum: u64,
        max: u64,
        parts: u32,
    },
    DeclaredUnsafe,
    DeclaredSafe,
}

/// The numbers behind a finding as reports show them (the finding's `values` in the JSON report): with the
/// dimension's name and the derived numbers (a dominance share, a p % remainder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NamedDetail<'a> {
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
        dimension: Cow<'a, str>,
        n: u64,
        group_n: u64,
        share: f64,
        max_share: f64,
        /// Absent from reports written before the strict form: those fired at `max_share` % too.
        #[serde(default)]
        inclusive: bool,
    },
    SingleCategory {
        dimension: Cow<'a, str>,
        /// Absent from reports written before it was recorded: the part then held the group's units.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        n: Option<u64>,
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
        column: ShadowName,
    },
    MissingRows {
        rows: u64,
    },
    Dof {
        dof: f64,
        min: f64,
    },
    AdditivityValue {
        dimension: Cow<'a, str>,
        value: f64,
        sum: f64,
        parts: u32,
    },
    AdditivityUnits {
        dimension: Cow<'a, str>,
        n: u64,
        sum: u64,
        max: u64,
        parts: u32,
    },
    DeclaredUnsafe,
    DeclaredSafe,
}

/// The name of dimension `d` among `dims` (`?` for a position out of range).
fn dim_name<S: AsRef<str>>(dims: &[S], d: Dim) -> &str {
    dims.get(d.0 as usize).map_or("?", AsRef::as_ref)
}

impl Detail {
    /// The numbers as reports show them, the dimension named from `dims` (the table's dimensions in order).
    pub fn named<'a, S: AsRef<str>>(&self, dims: &'a [S]) -> NamedDetail<'a> {
        let name = |d: Dim| Cow::Borrowed(dim_name(dims, d));
        match *self {
            Detail::Threshold { n, min_units } => NamedDetail::Threshold { n, min_units },
            Detail::Dominance {
                n,
                k,
                inclusive,
                top_sum,
                value,
            } => NamedDetail::Dominance {
                n,
                k,
                inclusive,
                top_sum,
                value,
                share: derived(top_sum / value * 100.0),
            },
            Detail::PPercent {
                p,
                value,
                top1,
                top2,
            } => NamedDetail::PPercent {
                p,
                value,
                top1,
                top2,
                remainder: derived(value - top1 - top2),
            },
            Detail::Pq {
                p,
                q,
                value,
                top1,
                top2,
            } => NamedDetail::Pq {
                p,
                q,
                value,
                top1,
                top2,
                remainder: derived(value - top1 - top2),
            },
            Detail::ClassShare {
                dimension,
                n,
                group_n,
                max_share,
                inclusive,
            } => NamedDetail::ClassShare {
                dimension: name(dimension),
                n,
                group_n,
                share: derived(n as f64 / group_n as f64 * 100.0),
                max_share,
                inclusive,
            },
            Detail::SingleCategory {
                dimension,
                n,
                group_n,
                categories,
            } => NamedDetail::SingleCategory {
                dimension: name(dimension),
                n: Some(n),
                group_n,
                categories,
            },
            Detail::SamplingZero => NamedDetail::SamplingZero,
            Detail::StructuralZero => NamedDetail::StructuralZero,
            Detail::Negative(x) => NamedDetail::Negative {
                value: x.value(),
                negative_units: x.negative_units(),
                smallest_top: x.smallest_top(),
            },
            Detail::MissingShadow { column } => NamedDetail::MissingShadow { column },
            Detail::MissingRows { rows } => NamedDetail::MissingRows { rows },
            Detail::Dof { dof, min } => NamedDetail::Dof { dof, min },
            Detail::AdditivityValue {
                dimension,
                value,
                sum,
                parts,
            } => NamedDetail::AdditivityValue {
                dimension: name(dimension),
                value,
                sum,
                parts,
            },
            Detail::AdditivityUnits {
                dimension,
                n,
                sum,
                max,
                parts,
            } => NamedDetail::AdditivityUnits {
                dimension: name(dimension),
                n,
                sum,
                max,
                parts,
            },
            Detail::DeclaredUnsafe => NamedDetail::DeclaredUnsafe,
            Detail::DeclaredSafe => NamedDetail::DeclaredSafe,
        }
    }
}

impl NamedDetail<'_> {
    /// The numbers as the checking pass stores them; a dimension's name is looked up in `dims` (an error names
    /// it when the table has no such dimension). Derived numbers are derived again, not read.
    pub fn resolve<S: AsRef<str>>(&self, dims: &[S]) -> Result<Detail, String> {
        let dim = |name: &str| {
            dims.iter()
                .position(|d| d.as_ref() == name)
                .map(|i| Dim(i as u32))
                .ok_or_else(|| format!("`{name}` is not a dimension of the table"))
        };
        Ok(match self {
            NamedDetail::Threshold { n, min_units } => Detail::Threshold {
                n: *n,
                min_units: *min_units,
            },
            NamedDetail::Dominance {
                n,
                k,
                inclusive,
                top_sum,
                value,
                ..
            } => Detail::Dominance {
                n: *n,
                k: *k,
                inclusive: *inclusive,
                top_sum: *top_sum,
                value: *value,
            },
            NamedDetail::PPercent {
                p,
                value,
                top1,
                top2,
                ..
            } => Detail::PPercent {
                p: *p,
                value: *value,
                top1: *top1,
                top2: *top2,
            },
            NamedDetail::Pq {
                p,
                q,
                value,
                top1,
                top2,
                ..
            } => Detail::Pq {
                p: *p,
                q: *q,
                value: *value,
                top1: *top1,
                top2: *top2,
            },
            NamedDetail::ClassShare {
                dimension,
                n,
                group_n,
                max_share,
                inclusive,
                ..
            } => Detail::ClassShare {
                dimension: dim(dimension)?,
                n: *n,
                group_n: *group_n,
                max_share: *max_share,
                inclusive: *inclusive,
            },
            NamedDetail::SingleCategory {
                dimension,
                n,
                group_n,
                categories,
            } => Detail::SingleCategory {
                dimension: dim(dimension)?,
                n: n.unwrap_or(*group_n),
                group_n: *group_n,
                categories: *categories,
            },
            NamedDetail::SamplingZero => Detail::SamplingZero,
            NamedDetail::StructuralZero => Detail::StructuralZero,
            NamedDetail::Negative {
                value,
                negative_units,
                smallest_top,
            } => Detail::Negative(Negatives::new(*value, *negative_units, *smallest_top)),
            NamedDetail::MissingShadow { column } => Detail::MissingShadow { column: *column },
            NamedDetail::MissingRows { rows } => Detail::MissingRows { rows: *rows },
            NamedDetail::Dof { dof, min } => Detail::Dof {
                dof: *dof,
                min: *min,
            },
            NamedDetail::AdditivityValue {
                dimension,
                value,
                sum,
                parts,
            } => Detail::AdditivityValue {
                dimension: dim(dimension)?,
                value: *value,
                sum: *sum,
                parts: *parts,
            },
            NamedDetail::AdditivityUnits {
                dimension,
                n,
                sum,
                max,
                parts,
            } => Detail::AdditivityUnits {
                dimension: dim(dimension)?,
                n: *n,
                sum: *sum,
                max: *max,
                parts: *parts,
            },
            NamedDetail::DeclaredUnsafe => Detail::DeclaredUnsafe,
            NamedDetail::DeclaredSafe => Detail::DeclaredSafe,
        })
    }
}

/// One rule firing on one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleCode,
    pub status: Status,
    pub values: Detail,
}

/// Percentages in details: one decimal, as a reviewer reads them.
fn pct(x: f64) -> String {
    format!("{x:.1} %")
}

/// A number derived for a finding's words (a share, a remainder, p % of the largest contribution), to 12
/// significant digits: the float noise of the subtraction (0.06999990000000011) is not part of what it says.
/// The rule itself decided on exact numbers; this is only what is shown.
pub(crate) fn derived(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
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
    /// The finding in words, with the numbers that made the rule fire; `dims` names the table's dimensions in
    /// order (a finding refers to a dimension by position).
    pub fn detail<S: AsRef<str>>(&self, dims: &[S]) -> String {
        en(&self.values.named(dims))
    }
}

/// A finding in English words.
pub(crate) fn en(d: &NamedDetail) -> String {
    match d {
        NamedDetail::Threshold { n, min_units } => format!("{n} units < {min_units}"),
        NamedDetail::Dominance {
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
        NamedDetail::PPercent {
            p, top1, remainder, ..
        } => format!(
            "value − top 1 − top 2 = {} < {} × top 1 = {}: the second-largest unit can estimate the largest within {}",
            num(*remainder),
            pct(*p),
            num(derived(p / 100.0 * top1)),
            pct(*p)
        ),
        NamedDetail::Pq {
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
            num(derived(p / q * top1))
        ),
        NamedDetail::ClassShare {
            dimension,
            n,
            group_n,
            share,
            max_share,
            inclusive,
        } => format!(
            "{n} of the {group_n} units along `{dimension}` = {} {} {}",
            pct(*share),
            if *inclusive { "≥" } else { ">" },
            pct(*max_share)
        ),
        NamedDetail::SingleCategory {
            dimension,
            n,
            group_n,
            categories,
        } => match n.filter(|n| n != group_n) {
            None => format!(
                "only non-zero category of {categories} along `{dimension}`: all {group_n} units fall here"
            ),
            Some(n) => format!(
                "only non-zero category of {categories} along `{dimension}`: all {n} units with a category fall here (the group counts {group_n})"
            ),
        },
        NamedDetail::SamplingZero => {
            "0 units: an empty cell tells that no unit has this combination".into()
        }
        NamedDetail::StructuralZero => "0 units, declared a structural zero".into(),
        NamedDetail::Negative {
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
        NamedDetail::MissingShadow { column } => {
            format!("`{column}` is missing: the rules that need it cannot decide")
        }
        NamedDetail::MissingRows { rows } => {
            format!("{rows} rows had no value; the published statistic leaves them out")
        }
        NamedDetail::Dof { dof, min } => {
            format!("{} residual degrees of freedom < {}", num(*dof), num(*min))
        }
        NamedDetail::AdditivityValue {
            dimension,
            value,
            sum,
            parts,
        } => format!(
            "value {} ≠ {} = sum of its {parts} parts along `{dimension}`",
            num(*value),
            num(*sum)
        ),
        NamedDetail::AdditivityUnits {
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
                format!("{n} units < {max} units of one of its {parts} parts along `{dimension}`")
            }
        }
        NamedDetail::DeclaredUnsafe => "declared unsafe in the status column".into(),
        NamedDetail::DeclaredSafe => {
            "declared safe in the status column: the other findings are overridden".into()
        }
    }
}

/// The shadow columns a per-cell rule reads, as slices of equal length (checked by `Table::new`).
pub(crate) struct Columns<'a> {
    pub n: &'a Column<u64>,
    pub value: Option<&'a Column<f64>>,
    pub top: Vec<&'a Column<f64>>,
    /// The weights of the top contributions' units (a weighted table).
    pub top_weight: Vec<&'a Column<f64>>,
    /// The table has sampling weights: its magnitude rules replicate each unit by its weight.
    pub weighted: bool,
    pub n_negative: Option<&'a Column<u64>>,
    pub n_missing: Option<&'a Column<u64>>,
    pub apriori: Option<&'a [Option<Apriori>]>,
    pub dof: Option<&'a Column<f64>>,
    pub numbers: Numbers,
}

impl<'a> Columns<'a> {
    fn of(table: &'a Table) -> Self {
        let s = table.shadow();
        Columns {
            n: &s.n,
            value: s.value.as_ref(),
            top: s.top.iter().collect(),
            top_weight: s.top_weight.iter().collect(),
            weighted: s.weight.is_some() || !s.top_weight.is_empty(),
            n_negative: s.n_negative.as_ref(),
            n_missing: s.n_missing.as_ref(),
            apriori: s.apriori.as_deref(),
            dof: s.dof.as_ref(),
            numbers: s.numbers,
        }
    }
    pub fn n(&self, i: usize) -> Option<u64> {
        self.n.get(i)
    }
    pub fn value(&self, i: usize) -> Option<f64> {
        self.value.and_then(|v| v.get(i))
    }
    pub fn top(&self, k: usize, i: usize) -> Option<f64> {
        self.top.get(k).and_then(|c| c.get(i))
    }
    pub fn apriori(&self, i: usize) -> Option<Apriori> {
        self.apriori.and_then(|v| v.get(i).copied().flatten())
    }
}

/// Adds a finding to a cell's list.
pub(crate) fn push(out: &mut Vec<Finding>, rule: RuleCode, status: Status, values: Detail) {
    out.push(Finding {
        rule,
        status,
        values,
    });
}

/// Findings of the rules that look at groups of cells (class disclosure, additivity), sorted by cell; merged into
/// the cell pass at the rule's place.
struct Sparse {
    cells: Vec<u32>,
    findings: std::vec::IntoIter<Finding>,
    at: usize,
}

impl Sparse {
    fn new(mut found: Vec<(u32, Finding)>) -> Self {
        // Stable: a cell's findings keep their dimension order.
        if !found.is_sorted_by_key(|(c, _)| *c) {
            found.sort_by_key(|(c, _)| *c);
        }
        let cells = found.iter().map(|(c, _)| *c).collect();
        let findings: Vec<Finding> = found.into_iter().map(|(_, f)| f).collect();
        Sparse {
            cells,
            findings: findings.into_iter(),
            at: 0,
        }
    }

    /// One list per chunk of cells (the chunks in order, covering the table).
    fn split(self, chunks: &[std::ops::Range<usize>]) -> Vec<Sparse> {
        let mut all = self.cells.into_iter().zip(self.findings).peekable();
        chunks
            .iter()
            .map(|r| {
                let mut found = Vec::new();
                while let Some(x) = all.next_if(|(c, _)| (*c as usize) < r.end) {
                    found.push(x);
                }
                Sparse::new(found)
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

/// The first look's verdict on a cell: a bit per rule that may fire ([`Screen::MISSING`] …). As wide as the
/// numbers it comes from, so a comparison's lane is the cell's bit without narrowing it to a byte.
type Flags = u64;

/// A first look at a cell, without branches: which of the per-cell rules (missing, negative, zero, threshold,
/// the magnitude rules) may fire, so a cell runs only those (most cells none). It computes the rules' own
/// conditions on the same numbers (a missing contribution counted as 0), so it may flag a rule that then finds
/// the cell undecidable, never leave out a rule that fires.
struct Screen {
    need: usize,
    /// `min_units` of the threshold rule, 1 when the rule is off (no `n` is in `1..1`).
    min_units: u64,
    magnitude: bool,
    /// The dominance rules.
    dominance: Vec<crate::policy::Dominance>,
    /// The p % and pq rules' coefficients ([`p_percent::estimates_closely`]).
    ratios: Vec<(f64, f64)>,
    numbers: Numbers,
    /// A weighted table: every magnitude cell is looked at fully (its weights decide which units count).
    weighted: bool,
}

impl Screen {
    fn new(
        policy: &Policy,
        need: usize,
        magnitude: bool,
        numbers: Numbers,
        weighted: bool,
    ) -> Self {
        Screen {
            need,
            min_units: policy.threshold.as_ref().map_or(1, |t| t.min_units),
            magnitude,
            dominance: policy.dominance.clone(),
            ratios: policy
                .p_percent
                .iter()
                .map(p_percent::ratio_p)
                .chain(policy.pq.iter().map(p_percent::ratio_pq))
                .collect(),
            numbers,
            weighted,
        }
    }

    /// Which per-cell rules may fire on each cell of `range`: a bit per rule ([`Screen::MISSING`] …) in `may`,
    /// 0 for most cells. Column by column over the range, so each step is a plain loop over one value array
    /// (missing entries hold 0 there; the missing bitmaps are applied after).
    fn block(&self, c: &Columns, range: Range<usize>, may: &mut Vec<Flags>) {
        let len = range.len();
        may.clear();
        may.resize(len, 0);
        let ns = c.n.values().get(range.clone()).unwrap_or(&[]);
        let below = self.min_units.wrapping_sub(1);
        for (m, &n) in may.iter_mut().zip(ns) {
            *m = (Flags::from(n == 0) * Self::ZERO)
                | (Flags::from(n.wrapping_sub(1) < below) * Self::THRESHOLD);
        }
        // A missing `n`: neither empty nor small, but missing.
        each_missing(c.n.missing_words(), range.clone(), |j| {
            if let Some(m) = may.get_mut(j) {
                *m = Self::MISSING;
            }
        });
        for (col, bit) in [(c.n_missing, Self::MISSING), (c.n_negative, Self::NEGATIVE)] {
            if let Some(col) = col {
                let xs = col.values().get(range.clone()).unwrap_or(&[]);
                for (m, &x) in may.iter_mut().zip(xs) {
                    *m |= Flags::from(x > 0) * bit;
                }
            }
        }
        let Some(values) = c.value else {
            return;
        };
        let vs = values.values().get(range.clone()).unwrap_or(&[]);
        for (m, &v) in may.iter_mut().zip(vs) {
            *m |= (Flags::from(!v.is_finite()) * Self::MISSING)
                | (Flags::from(v < 0.0) * Self::NEGATIVE);
        }
        each_missing(values.missing_words(), range.clone(), |j| {
            if let Some(m) = may.get_mut(j) {
                *m |= Self::MISSING;
            }
        });
        for (k, col) in c.top.iter().enumerate() {
            let ts = col.values().get(range.clone()).unwrap_or(&[]);
            if k < self.need {
                // A contribution the rules need is missing only when the cell has more than k units: one that is
                // not a number is flagged whatever the units (the rule then looks at them), a missing entry below.
                let k = k as u64;
                for (m, &t) in may.iter_mut().zip(ts) {
                    *m |= (Flags::from(t < 0.0) * Self::NEGATIVE)
                        | (Flags::from(!t.is_finite()) * Self::MISSING);
                }
                each_missing(col.missing_words(), range.clone(), |j| {
                    if let (Some(m), Some(&n)) = (may.get_mut(j), ns.get(j)) {
                        *m |= Flags::from(n > k) * Self::MISSING;
                    }
                });
            } else {
                for (m, &t) in may.iter_mut().zip(ts) {
                    *m |= Flags::from(t < 0.0) * Self::NEGATIVE;
                }
            }
        }
        if !self.magnitude {
            return;
        }
        if self.weighted {
            may.iter_mut()
                .for_each(|m| *m |= Self::MISSING | Self::MAGNITUDE);
            return;
        }
        let numbers = self.numbers;
        for d in &self.dominance {
            let count = (d.n as usize).min(self.need);
            let top = |j: usize| {
                c.top
                    .get(j)
                    .filter(|_| j < count)
                    .and_then(|col| col.values().get(range.clone()))
            };
            let flag = |top: &[f64], v: f64| {
                Flags::from(dominance::dominates(d, top, v, numbers)) * Self::MAGNITUDE
            };
            // The top contributions of each cell, up to three without a buffer.
            match (count, top(0), top(1), top(2)) {
                (1, Some(t1), _, _) => {
                    for ((m, &v), &a) in may.iter_mut().zip(vs).zip(t1) {
                        *m |= flag(&[a], v);
                    }
                }
                (2, Some(t1), Some(t2), _) => {
                    for (((m, &v), &a), &b) in may.iter_mut().zip(vs).zip(t1).zip(t2) {
                        *m |= flag(&[a, b], v);
                    }
                }
                (3, Some(t1), Some(t2), Some(t3)) => {
                    for ((((m, &v), &a), &b), &c) in may.iter_mut().zip(vs).zip(t1).zip(t2).zip(t3)
                    {
                        *m |= flag(&[a, b, c], v);
                    }
                }
                _ => {
                    let cols: Vec<&[f64]> = c
                        .top
                        .iter()
                        .take(count)
                        .map(|col| col.values().get(range.clone()).unwrap_or(&[]))
                        .collect();
                    let mut tops = [0.0; crate::topk::MAX_TOP];
                    for (j, (m, &v)) in may.iter_mut().zip(vs).enumerate() {
                        for (t, col) in tops.iter_mut().zip(&cols) {
                            *t = col.get(j).copied().unwrap_or(0.0);
                        }
                        *m |= flag(tops.get(..count).unwrap_or(&tops), v);
                    }
                }
            }
        }
        if self.ratios.is_empty() {
            return;
        }
        let top = |k: usize| {
            c.top
                .get(k)
                .filter(|_| k < self.need)
                .and_then(|col| col.values().get(range.clone()))
        };
        let (Some(t1s), Some(t2s)) = (top(0), top(1)) else {
            // Without two contributions a p % or pq rule decides nothing; let the rules say so.
            may.iter_mut().for_each(|m| *m |= Self::MAGNITUDE);
            return;
        };
        for &ratio in &self.ratios {
            for (((m, &v), &t1), &t2) in may.iter_mut().zip(vs).zip(t1s).zip(t2s) {
                *m |= Flags::from(p_percent::estimates_closely(ratio, v, t1, t2, numbers))
                    * Self::MAGNITUDE;
            }
        }
    }

    const MISSING: Flags = 1;
    const NEGATIVE: Flags = 2;
    const ZERO: Flags = 4;
    const THRESHOLD: Flags = 8;
    /// Dominance, p % or pq.
    const MAGNITUDE: Flags = 16;
    /// A group rule's finding waits for the cell, or the cell has a dof or declared status to look at.
    const GROUP: Flags = 32;
    const ALL: Flags = 63;
}

/// Calls `f` with the offset in `range` of every entry of `range` set in a missing-entry bitmap (see
/// [`Column::missing_words`]); nothing when the bitmap is empty.
fn each_missing(words: &[u64], range: Range<usize>, mut f: impl FnMut(usize)) {
    if words.is_empty() || range.is_empty() {
        return;
    }
    let (first, last) = (range.start / 64, (range.end - 1) / 64);
    for w in first..=last {
        let mut bits = words.get(w).copied().unwrap_or(0);
        if w == first {
            bits &= u64::MAX << (range.start % 64);
        }
        let end = range.end - w * 64;
        if end < 64 {
            bits &= (1u64 << end) - 1;
        }
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize - range.start);
            bits &= bits - 1;
        }
    }
}

/// Runs every rule of `policy` over `table`.
///
/// One pass over the cells: per cell the rules run in report order (missing, negative, zero, threshold,
/// dominance, p %, pq, class disclosure, dof, additivity, then the declared status), so findings come out grouped
/// by cell and the counts by status and rule are made on the way. The rules that compare a cell with its group
/// (class disclosure, additivity) run first over the table's additive relations and are merged in.
///
/// Errors only when the policy needs columns the table lacks (e.g. dominance (2, k) on a magnitude table with a
/// `top1` column only); the message names the rule and the columns.
pub fn check_table(table: &Table, policy: &Policy) -> Result<TableReport, Error> {
    check(table, policy, true)
}

/// [`check_table`]; with `screen` off every cell goes through every per-cell rule (tests compare the two).
fn check(table: &Table, policy: &Policy, screen: bool) -> Result<TableReport, Error> {
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
    let not_magnitude = "frequency table: no value column";
    uses.push(match &policy.threshold {
        Some(_) => RuleUse::applied(RuleCode::Threshold),
        None => RuleUse::off(RuleCode::Threshold),
    });
    uses.push(match (policy.dominance.is_empty(), magnitude) {
        (true, _) => RuleUse::off(RuleCode::Dominance),
        (false, true) => RuleUse::applied(RuleCode::Dominance),
        (false, false) => RuleUse::not_applicable(RuleCode::Dominance, not_magnitude),
    });
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
    uses.push(match &policy.class_disclosure {
        Some(_) => RuleUse::applied(RuleCode::ClassDisclosure),
        None => RuleUse::off(RuleCode::ClassDisclosure),
    });
    let dof = match (&policy.dof, s.dof.is_some()) {
        (Some(d), true) => {
            uses.push(RuleUse::applied(RuleCode::Dof));
            Some(d)
        }
        (Some(_), false) => {
            uses.push(RuleUse::not_applicable(
                RuleCode::Dof,
                "no dof column (not a model output)",
            ));
            None
        }
        (None, _) => {
            uses.push(RuleUse::off(RuleCode::Dof));
            None
        }
    };
    for code in [
        RuleCode::Zero,
        RuleCode::Negative,
        RuleCode::Missing,
        RuleCode::Additivity,
    ] {
        uses.push(RuleUse::applied(code));
    }
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
    let (class, additive) = match grid::run(
        table,
        policy.class_disclosure.as_ref(),
        policy.additivity.into(),
    ) {
        Some(found) => found,
        None => both(
            chunks.len() > 1,
            || match &policy.class_disclosure {
                Some(c) => class_disclosure::run(table, c),
                None => Vec::new(),
            },
            || additivity::run(table, policy.additivity.into()),
        ),
    };
    let class = Sparse::new(class).split(&chunks);
    let additive = Sparse::new(additive).split(&chunks);
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
const SCREEN_BLOCK: usize = 512;

/// Cells checked before a chunk's findings are sized for the rest.
const SAMPLE_CELLS: usize = 4096;

/// What the cell pass needs, shared by its chunks.
struct Pass<'a> {
    table: &'a Table,
    policy: &'a Policy,
    need: usize,
    dof: Option<&'a crate::policy::Dof>,
    missing_action: Status,
    missing_rows_action: Status,
    negative_action: Status,
    sampling_zero: Status,
    magnitude_rules: bool,
    screen: bool,
    first_look: Screen,
}

/// The verdicts on a range of cells: offsets into the chunk's own findings (0, then one per cell: the end of the
/// cell's findings).
struct Chunk {
    status: Vec<Status>,
    offsets: Vec<u32>,
    findings: Vec<Finding>,
    by_status: [u64; 3],
    by_rule: [u64; RuleCode::ALL.len()],
}

impl Pass<'_> {
    fn run(&self, range: std::ops::Range<usize>, mut class: Sparse, mut additive: Sparse) -> Chunk {
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
                if let Some(m) = (self.magnitude_rules && may & Screen::MAGNITUDE != 0)
                    .then(|| {
                        if may & (Screen::MISSING | Screen::NEGATIVE | Screen::ZERO) == 0 {
                            clean_magnitudes(&cols, i, self.need)
                        } else {
                            magnitudes(&cols, i, self.need)
                        }
                    })
                    .flatten()
                {
                    for d in &self.policy.dominance {
                        dominance::cell(&m, d, &mut findings);
                    }
                    if let Some(p) = &self.policy.p_percent {
                        p_percent::cell_p(&m, p, &mut findings);
                    }
                    if let Some(pq) = &self.policy.pq {
                        p_percent::cell_pq(&m, pq, &mut findings);
                    }
                }
                class.drain_into(i as u32, &mut findings);
                if let (Some(d), Some(col)) = (self.dof, cols.dof) {
                    dof::cell(col.get(i), d, self.missing_action, &mut findings);
                }
                additive.drain_into(i as u32, &mut findings);
                let (mut st, mut seen) = (Status::Safe, 0usize);
                for f in findings.get(start..).unwrap_or(&[]) {
                    st = st.max(f.status);
                    seen |= 1 << (f.rule as u32);
                }
                match cols.apriori(i) {
                    Some(Apriori::Unsafe) => {
                        push(
                            &mut findings,
                            RuleCode::Apriori,
                            Status::Unsafe,
                            Detail::DeclaredUnsafe,
                        );
                        st = Status::Unsafe;
                        seen |= 1 << (RuleCode::Apriori as u32);
                    }
                    Some(Apriori::Safe) if st != Status::Safe => {
                        push(
                            &mut findings,
                            RuleCode::Apriori,
                            Status::Safe,
                            Detail::DeclaredSafe,
                        );
                        st = Status::Safe;
                        seen |= 1 << (RuleCode::Apriori as u32);
                    }
                    _ => {}
                }
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
const CHUNK_MIN: usize = 1 << 16;

#[cfg(test)]
thread_local! {
    /// Tests cut the cell pass into chunks of this many cells, to compare with one chunk.
    static TEST_CHUNK: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Tests screen blocks of this many cells, so blocks start and end inside the missing-entry bitmaps' words.
    static TEST_BLOCK: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Threads worth using on a table of `cells` cells: one per available core (natively, up to 8), one per
/// [`CHUNK_MIN`] cells.
fn threads_for(cells: usize) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    #[cfg(target_arch = "wasm32")]
    let cores = 1;
    cores.min(cells / CHUNK_MIN).max(1)
}

/// The chunks of the cell pass: one per thread worth using ([`threads_for`]).
fn chunks(cells: usize) -> Vec<std::ops::Range<usize>> {
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
fn both<A: Send, B: Send>(
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
fn run_all<J: Send, R: Send>(jobs: Vec<J>, f: impl Fn(J) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    if jobs.len() > 1 {
        use rayon::prelude::*;
        return jobs.into_par_iter().map(f).collect();
    }
    jobs.into_iter().map(f).collect()
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
    use crate::report::TableReport;
    use crate::table::{Dimension, Table, TableBuilder};

    /// Runs `f` with one of the engine's test switches (`grid::NO_GRID`, `relations::NO_LAYOUT`) turned on, then
    /// turns it off again.
    pub fn switched<R>(
        switch: &'static std::thread::LocalKey<std::cell::Cell<bool>>,
        f: impl FnOnce() -> R,
    ) -> R {
        switch.with(|s| s.set(true));
        let r = f();
        switch.with(|s| s.set(false));
        r
    }

    /// `"cell: detail"` for every finding of `rule` in the report, in cell order.
    pub fn details(r: &TableReport, rule: &str) -> Vec<String> {
        r.cells_with(rule)
            .map(|(c, f)| format!("{c}: {}", f.detail(&r.dimensions)))
            .collect()
    }

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
mod pass_tests {
    use super::*;
    use crate::policy::{Dof, Dominance, Pq};
    use crate::random_table;
    use testing::switched;

    fn policies() -> Vec<Policy> {
        let mut all: Vec<Policy> = ["essnet", "acro", "sdctable"]
            .iter()
            .filter_map(|p| Policy::preset(p).ok())
            .collect();
        if let Ok(mut p) = Policy::preset("essnet") {
            p.dof = Some(Dof { min: 10.0 });
            p.pq = Some(Pq { p: 10.0, q: 50.0 });
            p.dominance.push(Dominance {
                n: 1,
                k: 60.0,
                inclusive: true,
            });
            p.dominance.push(Dominance {
                n: 3,
                k: 75.0,
                inclusive: false,
            });
            all.push(p);
        }
        // The other side of the presets' boundaries: inclusive where they are strict and back, class disclosure
        // at exactly 90 % without the single-category test.
        if let Ok(mut p) = Policy::preset("sdctable") {
            p.name = "edges".into();
            p.dominance = [(2, 85.0, true), (1, 50.0, true), (2, 90.0, false)]
                .map(|(n, k, inclusive)| Dominance { n, k, inclusive })
                .into();
            p.p_percent = Some(crate::policy::PPercent { p: 10.0 });
            p.class_disclosure = Some(crate::policy::ClassDisclosure {
                max_share: 90.0,
                inclusive: true,
                single_category: false,
            });
            p.missing = Action::Unsafe;
            all.push(p);
        }
        all
    }

    /// The direct-address index and group slots (dense tables) and the sorted index with group-by-group lookups
    /// (sparse tables) find the same groups: every report is the same, on random tables with hierarchies, gaps,
    /// missing and negative values.
    #[test]
    fn dense_and_sparse_paths_give_the_same_report() {
        let mut dense = 0;
        let mut fired = 0;
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            dense += usize::from(t.key_space().is_some());
            let sparse = t.clone().with_sorted_index();
            assert!(sparse.key_space().is_none());
            for p in policies() {
                let a = check_table(&t, &p);
                let b = switched(&relations::NO_LAYOUT, || check_table(&sparse, &p));
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        fired += a.findings_of("class-disclosure").count();
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert_eq!(dense, 300, "small random tables all get a dense index");
        assert!(fired > 100, "class disclosure fired {fired} times");
    }

    /// On a full table (every code combination, in key order) the group rules add whole rows of cells, in one
    /// slice per dimension or cut into several (ranges of blocks or of offsets in the rows); every other table
    /// in key order gets group slots: the same reports, on random tables with hierarchies, missing entries, NaN
    /// and negative values.
    #[test]
    fn full_grid_and_group_slots_give_the_same_report() {
        let (mut grids, mut class, mut sums) = (0, 0, 0);
        // Tables and full grids by their dimensions.
        let (mut tables, mut full) = ([0; 7], [0; 7]);
        for seed in 0..400 {
            let t = random_table::table(seed).unwrap();
            assert!(t.len() <= random_table::MAX_CELLS, "seed {seed}");
            grids += usize::from(t.is_full_grid());
            tables[t.dims().len()] += 1;
            full[t.dims().len()] += usize::from(t.is_full_grid());
            for p in policies() {
                let a = check_table(&t, &p);
                grid::PIECES.with(|f| f.set(Some(2 + seed as usize % 4)));
                let sliced = check_table(&t, &p);
                grid::PIECES.with(|f| f.set(None));
                let b = switched(&grid::NO_GRID, || check_table(&t, &p));
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        if t.is_full_grid() {
                            class += a.findings_of("class-disclosure").count();
                            sums += a.findings_of("additivity").count();
                        }
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                        assert_eq!(
                            sliced.ok(),
                            Some(b),
                            "seed {seed}, policy {}, sliced",
                            p.name
                        );
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(grids > 200, "{grids} full tables of 400");
        assert!(
            tables[1..].iter().all(|&n| n > 40) && full[5] > 20 && full[6] > 20,
            "tables by dimensions {tables:?}, full grids {full:?}"
        );
        assert!(
            class > 1000 && sums > 5000,
            "class disclosure {class}, additivity {sums}"
        );
    }

    /// Every path adds a group's parts in codelist order, so the sums (and the numbers a finding shows) are the
    /// same bit for bit: parts whose sum depends on the order (3 − 1e16 + (1e16 + 2) …), along a dimension of nine
    /// parts (added four at a time on the grid) that is not the last.
    #[test]
    fn group_sums_add_parts_in_codelist_order() {
        use crate::table::{Dimension, TableBuilder};
        // Swapping any two of the last seven changes the sum (so does reversing them all).
        let parts = [
            3.0,
            -1e16,
            1e16 + 2.0,
            0.5,
            0.5,
            -1e16,
            1e16 + 2.0,
            -1.0,
            3.0,
        ];
        let a = Dimension::flat(
            "a",
            (0..parts.len()).map(|i| format!("a{i}")),
            Some("Total"),
        );
        let b = Dimension::flat("b", ["x".to_string(), "y".to_string()], Some("Total"));
        let mut t = TableBuilder::new();
        let mut row = 1;
        for i in 0..a.len() as u32 {
            for j in 0..b.len() as u32 {
                // Margins left at 7 units and 1e9: additivity fires and shows what the parts add up to.
                let leaf = (i as usize) < parts.len() && j < 2;
                let v = if leaf {
                    parts[i as usize] * f64::from(j + 1)
                } else {
                    1e9
                };
                t = t.cell(row, &[i, j], Some(if leaf { 3 } else { 7 }), Some(v), &[]);
                row += 1;
            }
        }
        let t = t.build("t", vec![a, b]).unwrap();
        assert!(t.is_full_grid());
        let mut p = Policy::preset("essnet").unwrap();
        p.dominance.clear();
        let grid = check_table(&t, &p).unwrap();
        let slots = switched(&grid::NO_GRID, || check_table(&t, &p).unwrap());
        let lookups = switched(&relations::NO_LAYOUT, || check_table(&t, &p).unwrap());
        assert_eq!(grid, slots);
        assert_eq!(grid, lookups);
        // Column `x` of the total along `a`: the parts folded left to right.
        let want = parts.iter().fold(-0.0, |s, &x| s + x);
        let total_x = t.find(t.key(&[parts.len() as u32, 0])).unwrap();
        let shown: Vec<f64> = grid
            .cell(total_x)
            .unwrap()
            .findings
            .iter()
            .filter_map(|f| match f.values {
                Detail::AdditivityValue {
                    sum,
                    dimension: Dim(0),
                    ..
                } => Some(sum),
                _ => None,
            })
            .collect();
        assert_eq!(shown, vec![want]);
        assert_ne!(
            want,
            parts.iter().rev().fold(-0.0, |s, &x| s + x),
            "the order matters"
        );
    }

    /// Parts whose values are infinite, NaN, or finite but past the largest float when added: no path finds a
    /// value difference, and the paths agree.
    #[test]
    fn group_sums_past_the_floats_find_nothing_on_any_path() {
        use crate::table::{Dimension, TableBuilder};
        for parts in [
            [1e308, 1e308, 1.0],
            [f64::INFINITY, 1.0, 2.0],
            [f64::NEG_INFINITY, f64::INFINITY, 2.0],
            [f64::NAN, 1.0, 2.0],
        ] {
            let d = Dimension::flat("d", (0..3).map(|i| format!("d{i}")), Some("Total"));
            let mut t = TableBuilder::new();
            for (i, v) in parts.iter().chain([&5.0]).enumerate() {
                t = t.cell(i as u64 + 2, &[i as u32], Some(12), Some(*v), &[]);
            }
            let t = t.build("t", vec![d]).unwrap();
            assert!(t.is_full_grid());
            let mut p = Policy::preset("essnet").unwrap();
            p.dominance.clear();
            let grid = check_table(&t, &p).unwrap();
            let lookups = switched(&relations::NO_LAYOUT, || check_table(&t, &p).unwrap());
            assert_eq!(grid, lookups, "{parts:?}");
            assert!(
                grid.findings_of("additivity")
                    .all(|f| !matches!(f.values, Detail::AdditivityValue { .. })),
                "{parts:?}"
            );
        }
    }

    /// The first look never skips a cell a rule fires on: with and without it, the same reports, on unweighted
    /// tables (decimal and binary numbers) and weighted ones.
    #[test]
    fn screen_skips_only_cells_no_rule_fires_on() {
        // Dominance findings on weighted tables with their top units' weights; magnitude findings on binary
        // tables.
        let (mut weighted, mut binary) = (0, 0);
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            for p in policies() {
                TEST_BLOCK.with(|b| b.set(Some([1, 7, 64, 100][seed as usize % 4])));
                let screened = check(&t, &p, true);
                TEST_BLOCK.with(|b| b.set(None));
                match (screened, check(&t, &p, false)) {
                    (Ok(a), Ok(b)) => {
                        let found = ["dominance", "p-percent", "pq"]
                            .iter()
                            .map(|r| a.findings_of(r).count())
                            .sum::<usize>();
                        if !s.top_weight.is_empty() {
                            weighted += a.findings_of("dominance").count();
                        }
                        if s.numbers == Numbers::Binary {
                            binary += found;
                        }
                        assert_eq!(a, b, "seed {seed}, policy {}", p.name);
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(
            weighted > 1000 && binary > 1000,
            "weighted {weighted}, binary {binary}"
        );
    }

    /// Cells the generator puts on a boundary (0.9 + 0.8 of a cell of 2 is 85 %; 9 of a group's 10 units is
    /// 90 %; in decimal and binary numbers, weighted or not) are decided exactly. A strict rule fires on a subset
    /// of the cells its inclusive twin fires on, and a cell only the inclusive one fires on lies exactly on the
    /// boundary: an answer only the exact comparison's slow path (big integers) gives, so each such cell took it.
    #[test]
    fn boundary_cells_are_decided_exactly() {
        let (mut decimal, mut binary, mut weighted, mut class) = (0, 0, 0, 0);
        for seed in 0..200 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            for p in policies() {
                let twin = |inclusive: bool| {
                    let mut q = p.clone();
                    q.dominance.iter_mut().for_each(|d| d.inclusive = inclusive);
                    if let Some(c) = q.class_disclosure.as_mut() {
                        c.inclusive = inclusive;
                    }
                    check_table(&t, &q)
                };
                let (Ok(strict), Ok(inclusive)) = (twin(false), twin(true)) else {
                    continue;
                };
                for (i, (a, b)) in strict.cells().zip(inclusive.cells()).enumerate() {
                    let count = |c: &crate::CellReport, rule: RuleCode| {
                        c.findings.iter().filter(|f| f.rule == rule).count()
                    };
                    let dominance = (
                        count(&a, RuleCode::Dominance),
                        count(&b, RuleCode::Dominance),
                    );
                    let shares = (
                        count(&a, RuleCode::ClassDisclosure),
                        count(&b, RuleCode::ClassDisclosure),
                    );
                    let at = format!("seed {seed}, policy {}, cell {i}", p.name);
                    assert!(dominance.0 <= dominance.1 && shares.0 <= shares.1, "{at}");
                    if dominance.0 < dominance.1 {
                        match (s.numbers, s.top_weight.is_empty()) {
                            (_, false) => weighted += 1,
                            (Numbers::Binary, true) => binary += 1,
                            (Numbers::Decimal, true) => decimal += 1,
                        }
                    }
                    class += usize::from(shares.0 < shares.1);
                }
            }
        }
        assert!(
            decimal > 50 && binary > 10 && weighted > 20 && class > 20,
            "on the boundary: decimal {decimal}, binary {binary}, weighted {weighted}, class {class}"
        );
    }

    /// A weighted table without its top units' weights cannot be decided by the magnitude rules: every cell they
    /// would judge has a `missing` finding for `top1_weight` and is not safe unless declared safe.
    #[test]
    fn weighted_tables_without_top_weights_are_never_silently_safe() {
        let (mut tables, mut cells) = (0, 0);
        for seed in 0..300 {
            let t = random_table::table(seed).unwrap();
            let s = t.shadow();
            if s.weight.is_none() || !s.top_weight.is_empty() {
                continue;
            }
            tables += 1;
            for p in policies() {
                let Ok(r) = check_table(&t, &p) else { continue };
                for (i, c) in (0u32..).zip(r.cells()) {
                    let judged = t.value(i).is_some_and(|v| v.is_finite() && v > 0.0);
                    if !(judged && t.n(i).is_some_and(|n| n > 0)) {
                        continue;
                    }
                    cells += 1;
                    let at = format!("seed {seed}, policy {}, cell {i}", p.name);
                    assert!(
                        c.findings.iter().any(|f| f.values
                            == Detail::MissingShadow {
                                column: ShadowName::TopWeight(1)
                            }),
                        "{at}: {:?}",
                        c.findings
                    );
                    assert!(
                        c.status != Status::Safe || t.apriori(i) == Some(Apriori::Safe),
                        "{at}"
                    );
                }
            }
        }
        assert!(tables > 5 && cells > 1000, "{tables} tables, {cells} cells");
    }

    /// A finding is written for every cell a rule fires on (a quarter of a million per million cells is
    /// common) and they are all dropped at once: a flat record of at most 56 bytes, with nothing to free.
    #[test]
    fn findings_are_small_flat_records() {
        assert!(
            std::mem::size_of::<Finding>() <= 56,
            "{}",
            std::mem::size_of::<Finding>()
        );
        assert!(!std::mem::needs_drop::<Finding>());
    }

    /// Cut into chunks (run on the pool's threads) or not, the same report.
    #[test]
    fn chunks_join_into_the_same_report() {
        let mut chunked = 0;
        for seed in 0..200 {
            let t = random_table::table(seed).unwrap();
            for p in policies() {
                let whole = check_table(&t, &p);
                TEST_CHUNK.with(|c| c.set(Some(1 + seed as usize % 7)));
                chunked += chunks(t.len()).len();
                let parts = check_table(&t, &p);
                TEST_CHUNK.with(|c| c.set(None));
                match (whole, parts) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}, policy {}", p.name),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(chunked > 2000, "{chunked} chunks");
    }

    /// Findings come out grouped by cell, in the rules' order, and the counts match the findings.
    #[test]
    fn findings_are_grouped_in_rule_order_and_counted() {
        let order = |r: RuleCode| match r {
            RuleCode::Missing => 0,
            RuleCode::Negative => 1,
            RuleCode::Zero => 2,
            RuleCode::Threshold => 3,
            RuleCode::Dominance => 4,
            RuleCode::PPercent => 5,
            RuleCode::Pq => 6,
            RuleCode::ClassDisclosure => 7,
            RuleCode::Dof => 8,
            RuleCode::Additivity => 9,
            RuleCode::Apriori => 10,
        };
        for seed in 0..100 {
            let t = random_table::table(seed).unwrap();
            for p in policies() {
                let Ok(r) = check_table(&t, &p) else { continue };
                let mut by_rule = std::collections::BTreeMap::new();
                for c in r.cells() {
                    // `missing` also reports a dof column's gaps, at the dof rule's place.
                    let ranks: Vec<_> = c
                        .findings
                        .iter()
                        .map(|f| match (f.rule, &f.values) {
                            (RuleCode::Missing, Detail::MissingShadow { column })
                                if *column == ShadowName::Dof =>
                            {
                                8
                            }
                            (rule, _) => order(rule),
                        })
                        .collect();
                    assert!(ranks.is_sorted(), "seed {seed}: {:?}", c.findings);
                    let mut rules: Vec<_> = c.findings.iter().map(|f| f.rule.as_str()).collect();
                    rules.dedup();
                    rules.sort();
                    rules.dedup();
                    for rule in rules {
                        *by_rule.entry(rule).or_insert(0u64) += 1;
                    }
                }
                assert_eq!(r.summary.by_rule, by_rule, "seed {seed}");
            }
        }
    }
}

//! The numbers behind a finding: [`Detail`] as the checking pass stores them (small, flat, no heap data) and
//! [`NamedDetail`] as reports show them (dimension names, derived numbers), with the way between the two, and
//! the helpers that write numbers in a finding's words.

use super::{Dim, Finding, ShadowName};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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
pub(super) fn dim_name<S: AsRef<str>>(dims: &[S], d: Dim) -> &str {
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

/// Percentages in details: one decimal, as a reviewer reads them.
pub(super) fn pct(x: f64) -> String {
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
            if *rows == 1 {
                "1 row had no value; the published statistic leaves it out".into()
            } else {
                format!("{rows} rows had no value; the published statistic leaves them out")
            }
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

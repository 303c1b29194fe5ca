//! The numbers behind a finding: [`Detail`] as the checking pass stores them (small, flat, no heap data) and
//! [`NamedDetail`] as reports show them (dimension names, derived numbers), with the way between the two, and
//! the helpers that write numbers in a finding's words.

use super::{Dim, ShadowName, derived};
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
    /// A part of a group that cannot be weighed (a part's or the head's `n` is missing).
    GroupUnweighed {
        dimension: Dim,
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
    TopsAboveValue {
        tops: f64,
        value: f64,
    },
    /// `top{rank}` (from 1) holds `top`, below `next` in `top{rank + 1}`.
    TopsOutOfOrder {
        rank: u32,
        top: f64,
        next: f64,
    },
    TopsBeyondUnits {
        n: u64,
        rank: u32,
    },
    EmptyWithValue {
        n: u64,
        value: f64,
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
    GroupUnweighed {
        dimension: Cow<'a, str>,
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
    TopsAboveValue {
        tops: f64,
        value: f64,
    },
    /// `top{rank}` (from 1) holds `top`, below `next` in `top{rank + 1}`.
    TopsOutOfOrder {
        rank: u32,
        top: f64,
        next: f64,
    },
    TopsBeyondUnits {
        n: u64,
        rank: u32,
    },
    EmptyWithValue {
        n: u64,
        value: f64,
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
            Detail::GroupUnweighed { dimension } => NamedDetail::GroupUnweighed {
                dimension: name(dimension),
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
            Detail::TopsAboveValue { tops, value } => NamedDetail::TopsAboveValue { tops, value },
            Detail::TopsOutOfOrder { rank, top, next } => {
                NamedDetail::TopsOutOfOrder { rank, top, next }
            }
            Detail::TopsBeyondUnits { n, rank } => NamedDetail::TopsBeyondUnits { n, rank },
            Detail::EmptyWithValue { n, value } => NamedDetail::EmptyWithValue { n, value },
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
            NamedDetail::GroupUnweighed { dimension } => Detail::GroupUnweighed {
                dimension: dim(dimension)?,
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
            NamedDetail::TopsAboveValue { tops, value } => Detail::TopsAboveValue {
                tops: *tops,
                value: *value,
            },
            NamedDetail::TopsOutOfOrder { rank, top, next } => Detail::TopsOutOfOrder {
                rank: *rank,
                top: *top,
                next: *next,
            },
            NamedDetail::TopsBeyondUnits { n, rank } => {
                Detail::TopsBeyondUnits { n: *n, rank: *rank }
            }
            NamedDetail::EmptyWithValue { n, value } => Detail::EmptyWithValue {
                n: *n,
                value: *value,
            },
        })
    }
}

//! A finding and its verdict: the cell statuses, the rules' stable codes, the dimension and shadow-column names
//! findings refer to, and the record of one rule firing on one cell.

use super::Detail;
use crate::policy::Action;
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
    Consistency,
}

impl RuleCode {
    pub const ALL: [RuleCode; 12] = [
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
        RuleCode::Consistency,
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
            RuleCode::Consistency => "consistency",
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

/// One rule firing on one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleCode,
    pub status: Status,
    pub values: Detail,
}

/// Adds a finding to a cell's list.
pub(crate) fn push(out: &mut Vec<Finding>, rule: RuleCode, status: Status, values: Detail) {
    out.push(Finding {
        rule,
        status,
        values,
    });
}

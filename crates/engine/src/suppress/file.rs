//! The protection file's shape (`schema/protection.schema.json`, `cellguard-protection/2`; version 1 files, without `optimality`, still read), defined once: what
//! `cellguard protect` and `cellguard audit` write beside the check's report. Per table its pattern's summary
//! and audit verdict, and per suppressed cell its role, levels, audit interval, the primaries a secondary
//! protects and, for a primary left short, how. Cells are named by their coordinates and source row, as in the
//! report. Unbounded interval ends are `null`.

use super::optimal::Optimality;
use super::{Audit, Cost, Levels, Method, Protection, Role, Shortfall, Suppression};
use crate::report::TableReport;
use crate::rules::{RuleCode, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema identifier of a protection file.
pub const PROTECTION_SCHEMA: &str = "cellguard-protection/2";

/// One table's pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableFile {
    pub name: String,
    pub input: String,
    /// `fast`, `optimal`, or `audit` for a pattern made elsewhere.
    pub method: String,
    pub cost: Option<Cost>,
    pub summary: SummaryFile,
    /// The suppressed cells, in the table's cell order.
    pub cells: Vec<CellFile>,
    /// The tables this one was protected with as linked tables (one pattern of their cover, one joint audit:
    /// its summary and intervals are that audit's); absent for a table protected alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_with: Vec<String>,
}

/// A pattern in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    pub cells: usize,
    pub primaries: usize,
    pub secondaries: usize,
    /// The suppressed cells' figures added up (absolute values), and that sum as a percentage of all the
    /// table's figures added up the same way (margins included).
    pub suppressed_value: f64,
    pub suppressed_percent: f64,
    /// The suppressed cells' cost under `cost` (none for an audit).
    pub cost_total: Option<f64>,
    /// `passed` when every primary is protected, `failed` otherwise.
    pub audit: AuditVerdict,
    /// Primaries left short (a primary short against several attackers counts once).
    pub short: usize,
    /// Rows of the primaries no pattern of the table can protect.
    pub unprotectable: Vec<u64>,
    /// Whether the method tried every secondary for publishing again (within its budget of linear programs).
    pub pruned_whole: bool,
    /// Rounds of the method, connected components and linear programs of the audit.
    pub rounds: u32,
    pub components: usize,
    pub programs: usize,
    /// The `optimal` method's lower bound, proof and stop (none for `fast` and an audit; absent in
    /// `cellguard-protection/1` files).
    #[serde(default)]
    pub optimality: Option<Optimality>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditVerdict {
    Passed,
    Failed,
}

/// One suppressed cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellFile {
    pub coords: BTreeMap<String, String>,
    pub row: u64,
    pub role: Role,
    /// The check's verdict on the cell.
    pub status: Status,
    pub value: f64,
    pub levels: Option<LevelsFile>,
    pub interval: IntervalFile,
    /// Rows of the primaries whose protection chose this secondary.
    pub protects: Vec<u64>,
    pub shortfalls: Vec<ShortfallFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelsFile {
    pub lower: f64,
    pub upper: f64,
    pub sliding: f64,
    pub rule: RuleCode,
}

/// An audit interval; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalFile {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShortfallFile {
    #[serde(flatten)]
    pub shortfall: Shortfall,
    /// The row of the one-unit primary whose contributor the attacker is, when it is one.
    pub known: Option<u64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl TableFile {
    /// A protected table's file.
    pub fn of_protection(report: &TableReport, p: &Protection) -> Self {
        let roles: Vec<Role> = p.roles.clone();
        let rows: Vec<u64> = report.cells().map(|c| c.row).collect();
        let mut file = Self::build(report, &roles, &p.levels, &p.audit, &p.values, |c| {
            p.protects(c)
        });
        file.method = match p.options.method {
            Method::Fast => "fast".into(),
            Method::Optimal => "optimal".into(),
        };
        file.summary.optimality = p.optimality;
        file.cost = Some(p.options.cost);
        file.summary.cost_total = Some(p.cost);
        file.summary.rounds = p.rounds;
        file.summary.pruned_whole = p.pruned_whole;
        file.summary.unprotectable = p
            .unprotectable
            .iter()
            .filter_map(|&c| rows.get(c as usize).copied())
            .collect();
        file
    }

    /// The file of a pattern made elsewhere and audited: `suppressed` per cell.
    pub fn of_audit(
        report: &TableReport,
        suppressed: &[bool],
        levels: &[Option<Levels>],
        audit: &Audit,
        values: &[f64],
    ) -> Self {
        let roles: Vec<Role> = suppressed
            .iter()
            .zip(levels)
            .map(|(&s, l)| match (s, l.is_some()) {
                (_, true) => Role::Primary,
                (true, false) => Role::Secondary,
                (false, false) => Role::Published,
            })
            .collect();
        let mut file = Self::build(report, &roles, levels, audit, values, |_| &[]);
        file.method = "audit".into();
        file
    }

    fn build<'a>(
        report: &TableReport,
        roles: &[Role],
        levels: &[Option<Levels>],
        audit: &Audit,
        values: &[f64],
        protects: impl Fn(u32) -> &'a [u32],
    ) -> Self {
        let rows: Vec<u64> = report.cells().map(|c| c.row).collect();
        let row = |c: u32| rows.get(c as usize).copied().unwrap_or(0);
        let mut cells = Vec::new();
        for (c, cell) in report.cells().enumerate() {
            let c = c as u32;
            let role = roles.get(c as usize).copied().unwrap_or(Role::Published);
            if role == Role::Published && levels.get(c as usize).is_none_or(Option::is_none) {
                continue;
            }
            let interval = audit.interval(c).map_or(
                // A primary left published: everyone knows it.
                IntervalFile {
                    min: values.get(c as usize).copied(),
                    max: values.get(c as usize).copied(),
                },
                |iv| IntervalFile {
                    min: finite(iv.min),
                    max: finite(iv.max),
                },
            );
            cells.push(CellFile {
                coords: report
                    .coords_of(c)
                    .map(|(d, v)| (d.to_owned(), v.to_owned()))
                    .collect(),
                row: cell.row,
                role,
                status: cell.status,
                value: values.get(c as usize).copied().unwrap_or(0.0),
                levels: levels
                    .get(c as usize)
                    .copied()
                    .flatten()
                    .map(|l| LevelsFile {
                        lower: l.lower,
                        upper: l.upper,
                        sliding: l.sliding,
                        rule: l.rule,
                    }),
                interval,
                protects: protects(c).iter().map(|&p| row(p)).collect(),
                shortfalls: audit
                    .failures
                    .iter()
                    .filter(|f| f.cell == c)
                    .map(|f| ShortfallFile {
                        shortfall: f.shortfall,
                        known: f.known.map(row),
                    })
                    .collect(),
            });
        }
        let suppressed_value: f64 = roles
            .iter()
            .zip(values)
            .filter(|(r, _)| **r != Role::Published)
            .map(|(_, v)| v.abs())
            // From +0 (a sum of f64 starts at −0, which a pattern of no cells would write).
            .fold(0.0, |a, v| a + v);
        let all: f64 = values.iter().map(|v| v.abs()).fold(0.0, |a, v| a + v);
        let mut short: Vec<u32> = audit.failures.iter().map(|f| f.cell).collect();
        short.dedup();
        TableFile {
            name: report.name.clone(),
            input: report.input.clone(),
            method: String::new(),
            cost: None,
            summary: SummaryFile {
                cells: roles.len(),
                primaries: roles.iter().filter(|&&r| r == Role::Primary).count(),
                secondaries: roles.iter().filter(|&&r| r == Role::Secondary).count(),
                suppressed_value,
                suppressed_percent: if all > 0.0 {
                    100.0 * suppressed_value / all
                } else {
                    0.0
                },
                cost_total: None,
                audit: if audit.failures.is_empty() {
                    AuditVerdict::Passed
                } else {
                    AuditVerdict::Failed
                },
                short: short.len(),
                unprotectable: Vec::new(),
                pruned_whole: false,
                rounds: 0,
                components: audit.components,
                programs: audit.programs,
                optimality: None,
            },
            cells,
            linked_with: Vec::new(),
        }
    }
}

/// A protection file: the tool, the policy and its suppression parameters, the inputs and every table's pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionFile {
    pub schema: String,
    pub tool: String,
    pub version: String,
    pub policy: crate::Policy,
    pub suppression: Suppression,
    pub inputs: Vec<crate::InputRecord>,
    pub tables: Vec<TableFile>,
}

impl ProtectionFile {
    pub fn new(
        policy: &crate::Policy,
        suppression: &Suppression,
        inputs: Vec<crate::InputRecord>,
        tables: Vec<TableFile>,
    ) -> Self {
        ProtectionFile {
            schema: PROTECTION_SCHEMA.into(),
            tool: "cellguard".into(),
            version: crate::TOOL_VERSION.into(),
            policy: policy.clone(),
            suppression: *suppression,
            inputs,
            tables,
        }
    }
    /// Pretty JSON with a final newline: the same bytes for the same tables and policy.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
    /// Whether every table's audit passed.
    pub fn passed(&self) -> bool {
        self.tables
            .iter()
            .all(|t| t.summary.audit == AuditVerdict::Passed)
    }
}

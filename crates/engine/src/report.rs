//! The report: per cell its coordinates, status and findings; per table counts by status and rule; the full
//! policy, the tool version and the SHA-256 of every input. Serialized as JSON (`schema/report.schema.json`) and
//! as text for terminals.
//!
//! Architecture invariant: the same report gives the same bytes everywhere. Maps are written in a fixed order
//! (dimension order, rule order, `BTreeMap`), numbers by `serde_json` (shortest round-trip), no `usize` is written.

use crate::policy::Policy;
use crate::rules::{Finding, RuleCode, Status};
use crate::table::Table;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod json;

/// How a rule was used on a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleUse {
    pub rule: RuleCode,
    /// `applied`, `partly-applied` (the table lacks a column for part of what the rule checks), `off` (not in
    /// the policy) or `not-applicable` (the table has nothing the rule judges).
    #[serde(rename = "use", deserialize_with = "rule_use")]
    pub how: UseName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<std::borrow::Cow<'static, str>>,
}

/// How a rule was used, by name. An alias, not `&'static str` written out: serde's derive takes a field
/// spelled `&str` for text borrowed from the input, and would then read reports only from `'static` bytes.
pub type UseName = &'static str;

/// The ways a rule can be used on a table, as [`RuleUse::how`] names them.
const RULE_USES: [&str; 4] = ["applied", "partly-applied", "off", "not-applicable"];

/// A [`RuleUse::how`] read back: one of [`RULE_USES`].
fn rule_use<'de, D: Deserializer<'de>>(d: D) -> Result<UseName, D::Error> {
    let how = std::borrow::Cow::<str>::deserialize(d)?;
    RULE_USES
        .into_iter()
        .find(|u| *u == how)
        .ok_or_else(|| serde::de::Error::unknown_variant(&how, &RULE_USES))
}

impl RuleUse {
    pub(crate) fn applied(rule: RuleCode) -> Self {
        RuleUse {
            rule,
            how: "applied",
            reason: None,
        }
    }
    pub(crate) fn off(rule: RuleCode) -> Self {
        RuleUse {
            rule,
            how: "off",
            reason: None,
        }
    }
    pub(crate) fn partly_applied(rule: RuleCode, reason: &'static str) -> Self {
        RuleUse {
            rule,
            how: "partly-applied",
            reason: Some(std::borrow::Cow::Borrowed(reason)),
        }
    }
    pub(crate) fn not_applicable(rule: RuleCode, reason: &'static str) -> Self {
        RuleUse {
            rule,
            how: "not-applicable",
            reason: Some(std::borrow::Cow::Borrowed(reason)),
        }
    }
}

/// One cell's verdict: a view into the table report's flat arrays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellReport<'a> {
    /// Source row of the cell (CSV line, sheet row, record number).
    pub row: u64,
    pub status: Status,
    pub findings: &'a [Finding],
}

/// Counts of cells by status and by rule. Read back, a key that is not a status (a rule) is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub cells: u64,
    #[serde(deserialize_with = "named_counts::<Status, _>")]
    pub by_status: BTreeMap<&'static str, u64>,
    /// Cells on which each rule fired (a cell counts once per rule).
    #[serde(deserialize_with = "named_counts::<RuleCode, _>")]
    pub by_rule: BTreeMap<&'static str, u64>,
}

/// Counts keyed by statuses or rules, read with the keys' own names (so an unknown key is an error).
fn named_counts<'de, K, D>(d: D) -> Result<BTreeMap<&'static str, u64>, D::Error>
where
    K: Deserialize<'de> + Ord + Named,
    D: Deserializer<'de>,
{
    let counts = BTreeMap::<K, u64>::deserialize(d)?;
    Ok(counts.into_iter().map(|(k, n)| (k.name(), n)).collect())
}

/// A status or rule by the name reports give it.
trait Named {
    fn name(self) -> &'static str;
}

impl Named for Status {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Named for RuleCode {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.cells += other.cells;
        for (k, v) in &other.by_status {
            *self.by_status.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_rule {
            *self.by_rule.entry(k).or_default() += v;
        }
    }
    /// Names the counts: cells per status and per rule, in `Status` and `RuleCode` order.
    fn from_counts(cells: usize, by_status: [u64; 3], by_rule: [u64; RuleCode::ALL.len()]) -> Self {
        let mut summary = Summary {
            cells: cells as u64,
            ..Summary::default()
        };
        for (s, n) in [Status::Safe, Status::Review, Status::Unsafe]
            .into_iter()
            .zip(by_status)
        {
            summary.by_status.insert(s.as_str(), n);
        }
        for (r, n) in RuleCode::ALL.into_iter().zip(by_rule) {
            if n > 0 {
                summary.by_rule.insert(r.as_str(), n);
            }
        }
        summary
    }
    pub fn count(&self, status: Status) -> u64 {
        self.by_status.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// A dimension as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSummary {
    pub name: String,
    pub total: Option<String>,
    pub codes: Vec<String>,
}

/// A dimension's name: findings refer to a dimension by its position among the report's dimensions.
impl AsRef<str> for DimensionSummary {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

/// The parts of a [`TableReport`]: per cell its code ids (row-major), source row and status; all findings with
/// per-cell offsets (one more than there are cells).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    pub name: String,
    pub input: String,
    pub dimensions: Vec<DimensionSummary>,
    pub rules: Vec<RuleUse>,
    pub coords: Vec<u32>,
    pub rows: Vec<u64>,
    pub status: Vec<Status>,
    pub offsets: Vec<u32>,
    pub findings: Vec<Finding>,
}

/// The findings of a run of cells, as one chunk of the checking pass made them: cell `first + j`'s findings are
/// `findings[offsets[j]..offsets[j + 1]]`. A report keeps its chunks' arrays as they are (joining them would copy
/// every finding once more).
#[derive(Debug, Clone)]
struct Segment {
    first: u32,
    offsets: Vec<u32>,
    findings: Vec<Finding>,
}

/// One chunk's findings: offsets (one per cell plus one) and the findings.
pub(crate) type ChunkFindings = (Vec<u32>, Vec<Finding>);

/// The verdicts on one table.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub name: String,
    /// Name of the input file the table came from (set by the caller; the table's name by default).
    pub input: String,
    pub dimensions: Vec<DimensionSummary>,
    pub rules: Vec<RuleUse>,
    pub summary: Summary,
    /// Shared with the checked table: a report does not copy a million coordinates.
    coords: Arc<Vec<u32>>,
    /// Per cell: source row and status; its findings in the [`Segment`] holding it. Flat arrays: no allocation
    /// per cell, whatever the table's size.
    rows: Arc<Vec<u64>>,
    status: Vec<Status>,
    /// In cell order; the first starts at cell 0.
    segments: Vec<Segment>,
}

/// Reports are equal when they say the same: the same cells with the same findings, however their pass was cut
/// into chunks.
impl PartialEq for TableReport {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.input == other.input
            && self.dimensions == other.dimensions
            && self.rules == other.rules
            && self.summary == other.summary
            && self.coords == other.coords
            && self.rows == other.rows
            && self.status == other.status
            && self.cells().eq(other.cells())
    }
}

impl TableReport {
    /// `status` has one entry per cell; `chunks` the findings of consecutive runs of cells, in cell order, each
    /// with one offset per cell plus one (a chunk's cell `j` has `findings[offsets[j]..offsets[j + 1]]`).
    /// `by_status` and `by_rule` are the counts the checking pass made (cells per status; cells per rule, in
    /// `Status` and `RuleCode` order).
    pub(crate) fn new(
        table: &Table,
        rules: Vec<RuleUse>,
        (status, chunks): (Vec<Status>, Vec<ChunkFindings>),
        by_status: [u64; 3],
        by_rule: [u64; RuleCode::ALL.len()],
    ) -> Self {
        let mut first = 0u32;
        let segments = chunks
            .into_iter()
            .map(|(offsets, findings)| {
                let seg = Segment {
                    first,
                    offsets,
                    findings,
                };
                first += seg.offsets.len().saturating_sub(1) as u32;
                seg
            })
            .collect();
        let (coords, rows) = table.shared_arrays();
        TableReport {
            name: table.name.clone(),
            input: table.name.clone(),
            dimensions: table
                .dims()
                .iter()
                .map(|d| DimensionSummary {
                    name: d.name().to_owned(),
                    total: d.total().map(|t| d.code(t).to_owned()),
                    codes: d.codes().to_vec(),
                })
                .collect(),
            rules,
            summary: Summary::from_counts(status.len(), by_status, by_rule),
            coords,
            rows,
            status,
            segments,
        }
    }

    /// A table report from its parts, as a report file holds them (a reader rebuilds saved reports with it).
    /// Checks that the arrays fit together; the counts by status and rule are computed, not trusted.
    #[allow(clippy::result_large_err)]
    pub fn from_parts(p: Parts) -> Result<Self, (String, Box<TableReport>)> {
        let Parts {
            name,
            input,
            dimensions,
            rules,
            coords,
            rows,
            status,
            offsets,
            findings,
        } = p;
        let cells = status.len();
        let nd = dimensions.len();
        let problem = if rows.len() != cells {
            Some(format!("{} rows for {cells} cells", rows.len()))
        } else if coords.len() != cells * nd {
            Some(format!(
                "{} coordinates for {cells} cells of {nd} dimensions",
                coords.len()
            ))
        } else if offsets.len() != cells + 1
            || offsets.last().copied().unwrap_or(0) as usize != findings.len()
            || offsets.windows(2).any(|w| matches!(w, [a, b] if a > b))
        {
            Some("finding offsets do not fit the findings".to_owned())
        } else if coords.chunks(nd.max(1)).any(|c| {
            c.iter()
                .zip(&dimensions)
                .any(|(&x, d)| x as usize >= d.codes.len())
        }) {
            Some("a cell's code is outside its dimension".to_owned())
        } else {
            None
        };
        // Count in arrays (one pass, no map lookups per cell), then name the counts.
        let mut by_status = [0u64; 3];
        for s in &status {
            if let Some(n) = by_status.get_mut(*s as usize) {
                *n += 1;
            }
        }
        let mut by_rule = [0u64; RuleCode::ALL.len()];
        for w in offsets.windows(2) {
            if let [a, b] = *w {
                let mut seen = 0u32;
                for f in findings.get(a as usize..b as usize).unwrap_or(&[]) {
                    seen |= 1 << (f.rule as u32);
                }
                while seen != 0 {
                    let r = seen.trailing_zeros();
                    if let Some(n) = by_rule.get_mut(r as usize) {
                        *n += 1;
                    }
                    seen &= seen - 1;
                }
            }
        }
        let report = TableReport {
            name,
            input,
            dimensions,
            rules,
            summary: Summary::from_counts(cells, by_status, by_rule),
            coords: Arc::new(coords),
            rows: Arc::new(rows),
            status,
            segments: vec![Segment {
                first: 0,
                offsets,
                findings,
            }],
        };
        match problem {
            None => Ok(report),
            Some(p) => Err((p, Box::new(report))),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Cell `cell`'s verdict.
    pub fn cell(&self, cell: u32) -> Option<CellReport<'_>> {
        let i = cell as usize;
        let seg = match self.segments.as_slice() {
            [one] => one,
            all => all.get(all.partition_point(|s| s.first <= cell).checked_sub(1)?)?,
        };
        let j = (cell - seg.first) as usize;
        let (a, b) = (*seg.offsets.get(j)?, *seg.offsets.get(j + 1)?);
        Some(CellReport {
            row: self.rows.get(i).copied().unwrap_or(u64::from(cell) + 1),
            status: *self.status.get(i)?,
            findings: seg.findings.get(a as usize..b as usize).unwrap_or(&[]),
        })
    }

    /// Every cell's verdict, in cell order.
    pub fn cells(&self) -> impl ExactSizeIterator<Item = CellReport<'_>> + '_ {
        (0..self.len() as u32).map(|i| {
            self.cell(i).unwrap_or(CellReport {
                row: 0,
                status: Status::Safe,
                findings: &[],
            })
        })
    }

    /// Status of every cell, in cell order.
    pub fn statuses(&self) -> &[Status] {
        &self.status
    }

    /// Code ids of cell `cell`, in dimension order.
    pub fn cell_coords(&self, cell: u32) -> &[u32] {
        let nd = self.dimensions.len();
        let start = cell as usize * nd;
        self.coords.get(start..start + nd).unwrap_or(&[])
    }

    /// `(dimension, code)` pairs of a cell.
    pub fn coords_of(&self, cell: u32) -> impl Iterator<Item = (&str, &str)> {
        self.dimensions
            .iter()
            .zip(self.cell_coords(cell))
            .map(|(d, &c)| {
                (
                    d.name.as_str(),
                    d.codes.get(c as usize).map(String::as_str).unwrap_or(""),
                )
            })
    }

    /// Every finding of rule `rule` (its code, e.g. `"threshold"`), in cell order.
    pub fn findings_of(&self, rule: RuleCode) -> impl Iterator<Item = &Finding> + '_ {
        self.segments
            .iter()
            .flat_map(|s| s.findings.iter())
            .filter(move |f| f.rule == rule)
    }

    /// `(cell, finding)` for every finding of rule `rule`, in cell order.
    pub fn cells_with(&self, rule: RuleCode) -> impl Iterator<Item = (u32, &Finding)> + '_ {
        self.cells()
            .enumerate()
            .flat_map(|(i, c)| c.findings.iter().map(move |f| (i as u32, f)))
            .filter(move |(_, f)| f.rule == rule)
    }
}

/// An input file as recorded in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// An input of a run that could not be checked, with why: a report lists it, so that no file given to a check is
/// silently left out of its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailedInput {
    pub name: String,
    /// Its SHA-256, or `None` when its bytes were never read (a file refused by its size alone).
    pub sha256: Option<String>,
    pub bytes: u64,
    /// Why it could not be checked, as the reader or the engine said it.
    pub error: String,
}

/// The whole report of a `check` run.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub policy: Policy,
    /// SHA-256 of the policy file when the policy came from one (the KSZ policy is a file the reviewer loads).
    pub policy_sha256: Option<String>,
    pub inputs: Vec<InputRecord>,
    pub tables: Vec<TableReport>,
    /// Inputs that could not be checked (the page checks the files it can and lists the others here; the CLI
    /// stops at the first instead, so its reports have none).
    pub failed: Vec<FailedInput>,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for t in &self.tables {
            s.add(&t.summary);
        }
        s
    }

    /// True when every input was checked and every cell of every table is safe.
    pub fn all_safe(&self) -> bool {
        self.failed.is_empty()
            && self
                .tables
                .iter()
                .all(|t| t.status.iter().all(|s| *s == Status::Safe))
    }

    /// The report as pretty JSON with a final newline: the bytes the CLI writes and the page exports.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Err(e) = self.write_json(&mut out) {
            out = format!("{{\"error\": \"{e}\"}}\n").into_bytes();
        }
        out
    }

    /// The same bytes as [`Report::to_json`], written as they are made (a million-cell report is never held
    /// whole in memory).
    pub fn write_json(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }

    /// The compact report: as [`Report::write_json`], but each table lists only its cells that are not safe
    /// (`only_not_safe`); the counts, the policy and every input's SHA-256 are the full report's. A 1M-cell table
    /// whose cells are mostly safe is a few megabytes rather than a few hundred.
    pub fn write_json_compact(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut out, &json::ReportFile::of(self, true))
            .map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }

    /// The report for a terminal: per table the counts, then one line per cell that is not safe.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "cellguard {} — policy `{}`",
            crate::TOOL_VERSION,
            self.policy.name
        ));
        if let Some(h) = &self.policy_sha256 {
            s.push_str(&format!(" (sha256 {h})"));
        }
        s.push('\n');
        for t in &self.tables {
            let sum = &t.summary;
            s.push_str(&format!(
                "\n{}: {} cells — {} safe, {} review, {} unsafe\n",
                t.name,
                sum.cells,
                sum.count(Status::Safe),
                sum.count(Status::Review),
                sum.count(Status::Unsafe)
            ));
            if !sum.by_rule.is_empty() {
                let rules: Vec<String> = sum
                    .by_rule
                    .iter()
                    .map(|(r, n)| format!("{r} {n}"))
                    .collect();
                s.push_str(&format!("  cells by rule: {}\n", rules.join(", ")));
            }
            for u in t.rules.iter().filter(|u| u.how == "not-applicable") {
                s.push_str(&format!(
                    "  {} not applicable: {}\n",
                    u.rule.as_str(),
                    u.reason.as_deref().unwrap_or("")
                ));
            }
            for (i, c) in t.cells().enumerate() {
                if c.status == Status::Safe {
                    continue;
                }
                let coords: Vec<String> = t
                    .coords_of(i as u32)
                    .map(|(d, v)| format!("{d}={v}"))
                    .collect();
                s.push_str(&format!(
                    "  {:<6} row {:<6} {}\n",
                    c.status.as_str(),
                    c.row,
                    coords.join(", ")
                ));
                for f in c.findings {
                    s.push_str(&format!(
                        "           {}: {}\n",
                        f.rule.as_str(),
                        f.detail(&t.dimensions)
                    ));
                }
            }
        }
        let all = self.summary();
        s.push_str(&format!(
            "\n{} tables, {} cells: {} safe, {} review, {} unsafe\n",
            self.tables.len(),
            all.cells,
            all.count(Status::Safe),
            all.count(Status::Review),
            all.count(Status::Unsafe)
        ));
        for f in &self.failed {
            s.push_str(&format!("not checked: {}\n", f.error));
        }
        s
    }
}

/// The report as its file holds it ([`json::ReportFile`]): a full report, unless a table holds fewer cells than
/// it counts (read from a compact report), which can only be written as a compact report again.
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let partial = self
            .tables
            .iter()
            .any(|t| t.len() as u64 != t.summary.cells);
        json::ReportFile::of(self, partial).serialize(s)
    }
}

/// The table as a report file holds it ([`json::TableFile`]).
impl Serialize for TableReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json::TableFile::of(self, false).serialize(s)
    }
}

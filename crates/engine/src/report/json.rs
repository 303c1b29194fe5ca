//! The report's JSON shape (`schema/report.schema.json`), defined once: the same types are written from a
//! [`Report`] and read back from a saved file.
//!
//! Writing borrows the report and streams each table's cells from an iterator ([`CellsOf`]), so a million-cell
//! report is never held whole a second time; reading owns what it reads ([`ReadReport`]). Fields are written in
//! declaration order, which is the file's key order: changing it changes every report's bytes.

use super::{DimensionSummary, FailedInput, InputRecord, Report, RuleUse, Summary, TableReport};
use crate::policy::Policy;
use crate::rules::{NamedDetail, RuleCode, Status};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A report file. `C` is each table's cells: [`CellsOf`] when writing, a list of [`ReadCell`] when reading.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFile<'a, C> {
    /// [`crate::REPORT_SCHEMA`].
    pub schema: Cow<'a, str>,
    pub tool: Tool<'a>,
    pub policy: Cow<'a, Policy>,
    pub policy_sha256: Option<Cow<'a, str>>,
    pub inputs: Cow<'a, [InputRecord]>,
    /// The counts over all tables.
    pub summary: Summary,
    /// A compact report: each table lists only its cells that are not safe, while its summary counts every cell.
    /// Absent from a full report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_not_safe: bool,
    pub tables: Vec<TableFile<'a, C>>,
    /// Inputs that could not be checked, with why; absent when every input was checked.
    #[serde(default, skip_serializing_if = "<[FailedInput]>::is_empty")]
    pub failed: Cow<'a, [FailedInput]>,
}

/// The program that wrote a report.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool<'a> {
    /// `cellguard`.
    pub name: Cow<'a, str>,
    pub version: Cow<'a, str>,
}

/// One table of a report file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableFile<'a, C> {
    pub name: Cow<'a, str>,
    pub input: Cow<'a, str>,
    pub dimensions: Cow<'a, [DimensionSummary]>,
    pub rules: Cow<'a, [RuleUse]>,
    pub summary: Cow<'a, Summary>,
    pub cells: C,
}

/// One cell of a table. `K` is its coordinates: [`CoordsOf`] when writing, a map from dimension to code when
/// reading.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellFile<'a, K> {
    pub coords: K,
    /// Source row of the cell (CSV line, sheet row, record number).
    pub row: u64,
    pub status: Status,
    pub findings: Vec<FindingFile<'a>>,
}

/// One finding of a cell: its rule and status, the finding in words and its numbers, which name the dimension
/// they refer to. A reader makes the words again from the numbers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingFile<'a> {
    pub rule: RuleCode,
    pub status: Status,
    pub detail: Cow<'a, str>,
    pub values: NamedDetail<'a>,
}

/// A cell as a reader gets it: its coordinates by dimension name.
pub type ReadCell = CellFile<'static, BTreeMap<String, String>>;

/// A report file as a reader gets it.
pub type ReadReport = ReportFile<'static, Vec<ReadCell>>;

/// A table's cells, written one by one as the table report gives them: every cell, or only those that are not
/// safe (a compact report).
#[derive(Debug, Clone, Copy)]
pub struct CellsOf<'a>(&'a TableReport, bool);

/// A cell's coordinates, written as a map from dimension name to code in dimension order.
#[derive(Debug, Clone, Copy)]
pub struct CoordsOf<'a>(&'a TableReport, u32);

impl<'a> ReportFile<'a, CellsOf<'a>> {
    /// The file of `report`, borrowing it: every cell of every table, or with `only_not_safe` the cells that are
    /// not safe (a compact report; the counts are the same).
    pub fn of(report: &'a Report, only_not_safe: bool) -> Self {
        ReportFile {
            schema: Cow::Borrowed(crate::REPORT_SCHEMA),
            tool: Tool {
                name: Cow::Borrowed("cellguard"),
                version: Cow::Borrowed(crate::TOOL_VERSION),
            },
            policy: Cow::Borrowed(&report.policy),
            policy_sha256: report.policy_sha256.as_deref().map(Cow::Borrowed),
            inputs: Cow::Borrowed(&report.inputs),
            summary: report.summary(),
            only_not_safe,
            tables: report
                .tables
                .iter()
                .map(|t| TableFile::of(t, only_not_safe))
                .collect(),
            failed: Cow::Borrowed(&report.failed),
        }
    }
}

impl<'a> TableFile<'a, CellsOf<'a>> {
    /// The file's view of table report `t`: every cell, or with `only_not_safe` those that are not safe.
    pub fn of(t: &'a TableReport, only_not_safe: bool) -> Self {
        TableFile {
            name: Cow::Borrowed(&t.name),
            input: Cow::Borrowed(&t.input),
            dimensions: Cow::Borrowed(&t.dimensions),
            rules: Cow::Borrowed(&t.rules),
            summary: Cow::Borrowed(&t.summary),
            cells: CellsOf(t, only_not_safe),
        }
    }
}

impl Serialize for CellsOf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, only_not_safe) = (self.0, self.1);
        let cells = (0u32..)
            .zip(t.cells())
            .filter(|(_, c)| !only_not_safe || c.status != Status::Safe);
        s.collect_seq(cells.map(|(i, c)| {
            CellFile {
                coords: CoordsOf(t, i),
                row: c.row,
                status: c.status,
                findings: c
                    .findings
                    .iter()
                    .map(|f| FindingFile {
                        rule: f.rule,
                        status: f.status,
                        detail: Cow::Owned(f.detail(&t.dimensions)),
                        values: f.values.named(&t.dimensions),
                    })
                    .collect(),
            }
        }))
    }
}

impl Serialize for CoordsOf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.dimensions.len()))?;
        for (d, c) in self.0.coords_of(self.1) {
            m.serialize_entry(d, c)?;
        }
        m.end()
    }
}

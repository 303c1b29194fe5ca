//! The worker's side: checks files with the same io pipeline as the CLI, keeps the results, and answers the
//! page's requests for row windows, explanations and exports. Pure Rust, no browser API, tested natively.
//!
//! This file holds the [`Session`] and answers the page's requests ([`Session::handle`]); the work is split by
//! job:
//! - `check.rs`: a `Check` run over the files (table files, microdata tabulated first, saved reports shown);
//! - `view.rs`: windows of rows, one cell's explanation, the status map ([`heat`]);
//! - `export.rs`: the exports, the printable HTML report among them ([`html_report`]);
//! - `split.rs`: a large CSV table read in two pieces with the helper worker ([`split_point`], [`read_head`],
//!   [`join`]);
//! - `warmup.rs`: the worker readied when it starts ([`warm_up`], [`reserve_memory`]).

mod check;
mod export;
mod split;
mod view;
mod warmup;

pub(crate) use check::to_roles as table_roles;
pub use export::html_report;
pub use split::{HEAD_SHARE, Prepared, SPLIT_MAX, SPLIT_MIN, join, read_head, split_point};
pub use view::heat;
pub use warmup::{WORKING_MEMORY, reserve_memory, warm_up};

use crate::protocol::*;
use cellguard_engine::{Report, TableReport};
use std::sync::Arc;

/// A checked table kept for queries (its report lives in [`Session::report`]).
#[derive(Debug)]
struct Entry {
    frame: cellguard_io::Frame,
    roles: cellguard_io::ResolvedRoles,
    table: cellguard_engine::Table,
}

/// Where a table of the outcome comes from: a file checked in this run, or a saved report that was loaded.
#[derive(Debug, Clone, Copy)]
enum Source {
    Checked(usize),
    Viewed(usize),
}

/// What writes the annotated XLSX workbook (each table with its pattern, if any). The checking worker has none:
/// the XLSX writer is in the export module (`cellguard-export`), started when a workbook is first asked for, so the
/// checking page does not carry it.
pub type XlsxWriter = fn(
    &[(
        &cellguard_io::Checked,
        Option<&[cellguard_engine::suppress::Role]>,
    )],
) -> Result<Vec<u8>, cellguard_io::Error>;

/// The worker's state: the last run's tables and report.
#[derive(Debug, Default)]
pub struct Session {
    run: u32,
    entries: Vec<Entry>,
    /// Tables of saved reports that were loaded (shown, not re-checked).
    viewed: Vec<TableReport>,
    /// The outcome's tables in order.
    order: Vec<Source>,
    report: Option<Report>,
    /// The last row filter's matching cells: (table, filter, cells).
    filtered: Option<(u32, Filter, Vec<u32>)>,
    /// Files whose hash the page is computing: their names and bytes (hashed here if the page cannot).
    pending: Vec<(String, Arc<Vec<u8>>)>,
    /// The suppression patterns the protect module made for tables of this run, per table: the exports carry
    /// them.
    patterns: std::collections::BTreeMap<u32, Vec<cellguard_engine::suppress::Role>>,
    /// The XLSX writer, in the export module's session only (see [`XlsxWriter`]).
    xlsx: Option<XlsxWriter>,
}

impl Session {
    /// A session that also writes XLSX workbooks (the export module's, and the tests').
    pub fn with_xlsx() -> Session {
        Session {
            xlsx: Some(cellguard_io::export::annotated_xlsx_with),
            ..Session::default()
        }
    }

    /// Table `table` of the outcome: its checked file (none for a saved report) and its report.
    fn table(&self, run: u32, table: u32) -> Result<(Option<&Entry>, &TableReport), String> {
        if run != self.run {
            return Err(format!("run {run} was replaced by run {}", self.run));
        }
        let report = self.report.as_ref().ok_or("nothing checked yet")?;
        let found = match self.order.get(table as usize) {
            Some(Source::Checked(i)) => self
                .entries
                .get(*i)
                .zip(report.tables.get(*i))
                .map(|(e, r)| (Some(e), r)),
            Some(Source::Viewed(j)) => self.viewed.get(*j).map(|r| (None, r)),
            None => None,
        };
        found.ok_or_else(|| format!("no table {table}"))
    }

    /// The page's hash of a file checked with `hashing` goes into the report (computed here when the page sent
    /// none, or one that is not a SHA-256). `None` when no file of the run waits for it.
    pub fn digest(&mut self, run: u32, file: &str, sha256: Option<&str>) -> Option<String> {
        if run != self.run {
            return None;
        }
        let at = self.pending.iter().position(|(name, _)| name == file)?;
        let (name, bytes) = self.pending.swap_remove(at);
        let hash = match sha256.filter(|h| cellguard_io::is_sha256_hex(h)) {
            Some(h) => h.to_owned(),
            None => cellguard_io::sha256_hex(&bytes),
        };
        let report = self.report.as_mut()?;
        if let Some(record) = report
            .inputs
            .iter_mut()
            .find(|i| i.name == name && i.sha256.is_empty())
        {
            record.sha256.clone_from(&hash);
        } else {
            // A file that could not be checked is listed with its hash too.
            let failed = report
                .failed
                .iter_mut()
                .find(|f| f.name == name && f.sha256.is_none())?;
            failed.sha256 = Some(hash.clone());
        }
        Some(hash)
    }

    /// Keeps the suppression pattern of table `table` (per cell: 0 published, 1 primary, 2 secondary) for the
    /// exports; it must have a role for every cell, and a primary for every cell the check did not clear.
    pub(crate) fn keep_pattern(
        &mut self,
        run: u32,
        table: u32,
        roles: &[u8],
    ) -> Result<(), String> {
        use cellguard_engine::suppress::Role;
        let (_, report) = self.table(run, table)?;
        if roles.len() != report.len() {
            return Err(format!(
                "a pattern of {} cells for a table of {}",
                roles.len(),
                report.len()
            ));
        }
        let mut pattern = Vec::with_capacity(roles.len());
        for (cell, (role, status)) in (0u32..).zip(roles.iter().zip(report.statuses())) {
            let role = match role {
                0 => Role::Published,
                1 => Role::Primary,
                2 => Role::Secondary,
                other => return Err(format!("cell {cell}: no role {other} in a pattern")),
            };
            if *status != cellguard_engine::Status::Safe && role != Role::Primary {
                return Err(format!(
                    "cell {cell} is {} but not a primary of the pattern",
                    status.as_str()
                ));
            }
            pattern.push(role);
        }
        self.patterns.insert(table, pattern);
        // A list filtered before the pattern came would leave its secondaries out.
        self.filtered = None;
        Ok(())
    }

    /// Hashes here whatever the page has not sent yet: a report never leaves without every input's hash.
    fn settle(&mut self) {
        // `digest` takes each waiting file off the list, whatever it finds.
        while let Some(name) = self.pending.first().map(|(n, _)| n.clone()) {
            self.digest(self.run, &name, None);
        }
    }

    /// Answers one request; `Check` reports progress through `progress` first.
    pub fn handle(
        &mut self,
        req: Request,
        now: &dyn Fn() -> f64,
        progress: &mut dyn FnMut(Response),
    ) -> Response {
        self.handle_prepared(req, Vec::new(), now, progress)
    }

    /// As [`Session::handle`], a `Check` with the frames of some files read beforehand (see
    /// [`Session::check_prepared`]).
    pub fn handle_prepared(
        &mut self,
        req: Request,
        prepared: Vec<Option<Prepared>>,
        now: &dyn Fn() -> f64,
        progress: &mut dyn FnMut(Response),
    ) -> Response {
        match req {
            Request::Check {
                run,
                files,
                modes,
                policy,
                first,
                set_aside,
            } => {
                let mut out =
                    self.check_prepared(run, files, prepared, &modes, &policy, now, progress);
                if let Some(report) = self.report.as_mut() {
                    report.failed.extend(set_aside);
                }
                out.first = first
                    .filter(|v| (v.table as usize) < out.tables.len())
                    .and_then(|v| self.rows(run, v.table, v.filter, 0, v.limit).ok());
                Response::Checked(out)
            }
            Request::Rows {
                run,
                table,
                filter,
                offset,
                limit,
            } => self
                .rows(run, table, filter, offset, limit)
                .map_or_else(|message| Response::Failed { run, message }, Response::Rows),
            Request::Locate {
                run,
                table,
                filter,
                x,
                y,
            } => self.locate(run, table, filter, x, y).map_or_else(
                |message| Response::Failed { run, message },
                Response::Located,
            ),
            Request::Explain { run, table, cell } => self.explain(run, table, cell).map_or_else(
                |message| Response::Failed { run, message },
                Response::Explained,
            ),
            Request::Export { run, kind } => {
                self.settle();
                self.export(run, &kind).map_or_else(
                    |message| Response::Failed { run, message },
                    Response::Exported,
                )
            }
            Request::Digest { run, file, sha256 } => {
                let sha256 = self.digest(run, &file, sha256.as_deref());
                Response::Hashed { run, file, sha256 }
            }
            Request::Pattern { run, table, roles } => {
                self.keep_pattern(run, table, &roles).map_or_else(
                    |message| Response::Failed { run, message },
                    |()| Response::PatternKept { run, table },
                )
            }
        }
    }
}

/// What the tests of every part of the session share: a small table with one unsafe cell, the ESSnet preset,
/// and a run of files through a fresh check.
#[cfg(test)]
mod fixtures {
    use super::Session;
    use crate::protocol::*;
    use std::collections::BTreeMap;

    pub(super) fn file(name: &str, text: &str) -> FileIn {
        FileIn::new(name, text.as_bytes().to_vec())
    }

    /// The bytes of export `kind` of run `run`.
    pub(super) fn exported(s: &Session, run: u32, kind: ExportKind) -> Vec<u8> {
        s.export(run, &kind).unwrap().bytes.to_vec().unwrap()
    }

    pub(super) fn essnet() -> PolicyIn {
        PolicyIn {
            policy: cellguard_engine::Policy::preset("essnet").unwrap(),
            file: None,
        }
    }

    pub(super) const TABLE: &str = "sex;region;mean;n;value;top1;top2\nM;A;10,5;12;126;30;20\nF;A;9;2;18;10;8\nTotal;A;9,9;14;144;30;20\n";

    pub(super) fn run(session: &mut Session, files: Vec<FileIn>) -> (Outcome, Vec<Response>) {
        let mut progress = Vec::new();
        let out = session.check(1, files, &BTreeMap::new(), &essnet(), &|| 0.0, &mut |r| {
            progress.push(r)
        });
        (out, progress)
    }
}

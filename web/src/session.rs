//! The worker's side: checks files with the same io pipeline as the CLI, keeps the results, and answers the
//! page's requests for row windows, explanations and exports. Pure Rust, no browser API, tested natively.

use crate::i18n::{self, t};
use crate::protocol::*;
use cellguard_engine::tabulate::{Agg, TabulateSpec};
use cellguard_engine::{Lang, Report, Status, TableReport};
use cellguard_io::{Checked, MicroRoles, NamedBytes, TableRoles};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest side of the status picture, in blocks.
const HEAT_MAX: u32 = 256;

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
}

fn to_roles(r: &RolesIn) -> TableRoles {
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    TableRoles {
        dims: r.dims.clone(),
        n: nonempty(&r.n),
        value: nonempty(&r.value),
        top: r.top.clone(),
        weight: nonempty(&r.weight),
        status: nonempty(&r.status),
        cost: nonempty(&r.cost),
        dof: nonempty(&r.dof),
        total: nonempty(&r.total),
        ..TableRoles::default()
    }
}

fn roles_view(frame: &cellguard_io::Frame, r: &cellguard_io::ResolvedRoles) -> RolesView {
    RolesView {
        columns: frame.columns.iter().map(|c| c.name.clone()).collect(),
        dims: r.dims.clone(),
        n: r.n.clone(),
        value: r.value.clone(),
        top: r.top.clone(),
        weight: r.weight.clone(),
        status: r.status.clone(),
        cost: r.cost.clone(),
        dof: r.dof.clone(),
        published: r.published.clone(),
        total: r.total.clone(),
    }
}

/// The status picture of a table (see [`Heat`]).
pub fn heat(report: &TableReport, sizes: &[u32]) -> Heat {
    let Some((&across, down)) = sizes.split_last() else {
        return Heat::default();
    };
    let across = across.max(1);
    let height: u64 = down.iter().map(|&s| u64::from(s.max(1))).product();
    let block_w = across.div_ceil(HEAT_MAX);
    let height32 = u32::try_from(height).unwrap_or(u32::MAX);
    let block_h = height32.div_ceil(HEAT_MAX).max(1);
    let width = across.div_ceil(block_w);
    let h = height32.div_ceil(block_h);
    let mut pixels = vec![0u8; width as usize * h as usize];
    let nd = sizes.len();
    // Each cell's block by table lookups rather than two divisions a cell: a code of the last dimension gives
    // the block's column, a row of the picture (up to 262,144 of them) its row.
    let columns: Vec<u32> = (0..across).map(|c| c / block_w).collect();
    let rows: Option<Vec<u32>> =
        (height <= 1 << 18).then(|| (0..height as u32).map(|y| y / block_h).collect());
    for (i, status) in report.statuses().iter().enumerate() {
        let coords = report.cell_coords(i as u32);
        let Some((&last, before)) = coords.split_last().filter(|_| coords.len() == nd) else {
            continue;
        };
        let mut y: u64 = 0;
        for (c, s) in before.iter().zip(down) {
            y = y * u64::from((*s).max(1)) + u64::from(*c);
        }
        let x = columns
            .get(last as usize)
            .copied()
            .unwrap_or(last / block_w);
        let y = match &rows {
            Some(rows) => rows.get(y as usize).copied().unwrap_or(u32::MAX) as usize,
            None => (y / u64::from(block_h)) as usize,
        };
        let v = *status as u8 + 1;
        if let Some(p) = pixels.get_mut(y * width as usize + x as usize) {
            *p = (*p).max(v);
        }
    }
    Heat {
        width,
        height: h,
        pixels,
        block_w,
        block_h,
    }
}

fn rule_views(r: &TableReport) -> Vec<RuleUseView> {
    r.rules
        .iter()
        .map(|u| RuleUseView {
            rule: u.rule,
            how: u.how.to_owned(),
            reason: u.reason.clone().map(std::borrow::Cow::into_owned),
        })
        .collect()
}

fn counts(r: &TableReport) -> Counts {
    Counts {
        cells: r.summary.cells,
        safe: r.summary.count(Status::Safe),
        review: r.summary.count(Status::Review),
        unsafe_: r.summary.count(Status::Unsafe),
        by_rule: r
            .summary
            .by_rule
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect(),
    }
}

/// A file with its bytes in the worker's memory.
#[derive(Debug)]
struct Owned {
    name: String,
    /// Shared with the checked frame, whose text columns point into it.
    bytes: Arc<Vec<u8>>,
    sha256: Option<String>,
    hashing: bool,
}

/// Reads a microdata file and tabulates it as `cellguard tabulate` would; returns the table file's name and
/// bytes (the CSV the CLI would write).
fn tabulate(file: &Owned, spec: &TabulateIn) -> Result<NamedBytes, String> {
    let agg = match spec.agg.as_str() {
        "count" => Agg::Count,
        "sum" => Agg::Sum,
        "mean" => Agg::Mean,
        other => {
            return Err(format!(
                "{}: unknown statistic `{other}`; choose count, sum or mean",
                file.name
            ));
        }
    };
    if spec.rows.is_empty() && spec.cols.is_empty() {
        return Err(format!(
            "{}: choose the table's rows and/or columns",
            file.name
        ));
    }
    if agg != Agg::Count && spec.value.as_deref().unwrap_or("").is_empty() {
        return Err(format!(
            "{}: a {} needs a value column",
            file.name,
            agg.as_str()
        ));
    }
    let roles = MicroRoles {
        dims: spec.rows.iter().chain(&spec.cols).cloned().collect(),
        value: if agg == Agg::Count {
            None
        } else {
            spec.value.clone()
        },
        unit: spec.unit.clone().filter(|u| !u.is_empty()),
        weight: None,
    };
    // Only the columns the table needs are read.
    let wanted: Vec<&str> = roles
        .dims
        .iter()
        .chain(&roles.value)
        .chain(&roles.unit)
        .map(String::as_str)
        .collect();
    let frame = cellguard_io::read_frame_columns_shared(&file.name, &file.bytes, &wanted)
        .map_err(|e| e.to_string())?;
    let md = cellguard_io::microdata_from_frame(&frame, &roles).map_err(|e| e.to_string())?;
    let mut ts = TabulateSpec::new(&[], &[], agg);
    ts.rows = spec.rows.clone();
    ts.cols = spec.cols.clone();
    ts.margins = spec.margins;
    let stem = file
        .name
        .rsplit_once('.')
        .map_or(file.name.as_str(), |(s, _)| s);
    let name = format!("{stem}_{}.csv", agg.as_str());
    let tab = cellguard_engine::tabulate(&name, &md, &ts, &mut |_, _| {})
        .map_err(|e| format!("{}: {e}", file.name))?;
    Ok(NamedBytes {
        name,
        bytes: cellguard_io::tabulated_to_csv(&tab),
    })
}

/// Column names that say "this is a table with unit counts".
const COUNT_NAMES: [&str; 7] = [
    "n",
    "units",
    "n_units",
    "freq",
    "frequency",
    "count",
    "top1",
];

impl Session {
    /// Runs a `Check`, reporting progress through `progress`; returns the outcome.
    pub fn check(
        &mut self,
        run: u32,
        files: Vec<FileIn>,
        modes: &BTreeMap<String, Mode>,
        policy: &PolicyIn,
        now: &dyn Fn() -> f64,
        progress: &mut dyn FnMut(Response),
    ) -> Outcome {
        self.check_prepared(run, files, Vec::new(), modes, policy, now, progress)
    }

    /// As [`Session::check`], with the frames of some table files read beforehand (`prepared[i]` for file `i`;
    /// see [`Prepared`]).
    #[allow(clippy::too_many_arguments)]
    pub fn check_prepared(
        &mut self,
        run: u32,
        files: Vec<FileIn>,
        mut prepared: Vec<Option<Prepared>>,
        modes: &BTreeMap<String, Mode>,
        policy: &PolicyIn,
        now: &dyn Fn() -> f64,
        progress: &mut dyn FnMut(Response),
    ) -> Outcome {
        let start = now();
        self.run = run;
        self.entries.clear();
        self.viewed.clear();
        self.order.clear();
        self.report = None;
        self.filtered = None;
        self.pending.clear();
        let total = files.len() as u32;
        let mut outcomes = Vec::with_capacity(files.len());
        let mut tables = Vec::new();
        let mut views = Vec::new();
        let mut side = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            let size = file.bytes.len() as u64;
            let (bytes, frame) = match prepared.get_mut(i).and_then(Option::take) {
                Some(p) => (Ok(p.bytes), Some(p.frame)),
                None => (file.bytes.into_vec().map(Arc::new), None),
            };
            let bytes = match bytes {
                Ok(b) => b,
                // A file the browser cannot read (moved or changed since it was picked): said, and the others go on.
                Err(e) => {
                    outcomes.push(FileOutcome {
                        sha256: file.sha256.unwrap_or_default(),
                        ..FileOutcome::unreadable(&file.name, size, &e)
                    });
                    continue;
                }
            };
            let file = Owned {
                name: file.name,
                bytes,
                sha256: file.sha256,
                hashing: file.hashing,
            };
            let mut say = |stage| {
                progress(Response::Progress {
                    run,
                    file: file.name.clone(),
                    stage,
                    done: i as u32,
                    total,
                })
            };
            let mut out = FileOutcome::new(&file.name, file.bytes.len() as u64);
            // A saved report is shown as it is: its verdicts, under its own policy.
            if cellguard_io::is_report(&file.bytes) {
                say(Stage::Reading);
                out.sha256 = cellguard_io::sha256_hex(&file.bytes);
                match cellguard_io::read_report(&file.name, &file.bytes) {
                    Ok(saved) => {
                        out.table = (!saved.tables.is_empty()).then_some(views.len() as u32);
                        for tr in saved.tables {
                            let sizes: Vec<u32> =
                                tr.dimensions.iter().map(|d| d.codes.len() as u32).collect();
                            views.push(TableView {
                                name: format!(
                                    "{} ({}, policy {})",
                                    tr.input, file.name, saved.policy.name
                                ),
                                dims: tr.dimensions.iter().map(|d| d.name.clone()).collect(),
                                published: Vec::new(),
                                counts: counts(&tr),
                                rules: rule_views(&tr),
                                heat: heat(&tr, &sizes),
                            });
                            self.order.push(Source::Viewed(self.viewed.len()));
                            self.viewed.push(tr);
                        }
                    }
                    Err(e) => out.error = Some(e.to_string()),
                }
                outcomes.push(out);
                continue;
            }
            let mode = modes.get(&file.name).cloned().unwrap_or_default();
            let roles = match &mode {
                Mode::Table(r) => to_roles(r),
                Mode::Microdata(_) => TableRoles::default(),
            };
            // A table file is checked from its own bytes (no copy); microdata is tabulated into a table first.
            let checked = match &mode {
                Mode::Table(_) => {
                    say(Stage::Reading);
                    say(Stage::Checking);
                    let sha256 = match (&file.sha256, file.hashing) {
                        (Some(h), _) => cellguard_io::InputHash::Known(h),
                        (None, true) => cellguard_io::InputHash::Later,
                        (None, false) => cellguard_io::InputHash::Compute,
                    };
                    match frame {
                        Some(frame) => frame.and_then(|frame| {
                            cellguard_io::check_frame(
                                &file.name,
                                &file.bytes,
                                frame,
                                sha256,
                                &roles,
                                &policy.policy,
                            )
                        }),
                        None => cellguard_io::check_file_shared(
                            &file.name,
                            &file.bytes,
                            sha256,
                            &roles,
                            &policy.policy,
                        ),
                    }
                    .map_err(|e| e.to_string())
                }
                Mode::Microdata(spec) => {
                    say(Stage::Tabulating);
                    tabulate(&file, spec).and_then(|input| {
                        say(Stage::Checking);
                        cellguard_io::check_file(&input.name, &input.bytes, &roles, &policy.policy)
                            .map_err(|e| e.to_string())
                    })
                }
            };
            match checked {
                Ok(Checked {
                    frame,
                    roles,
                    table,
                    report,
                    input,
                }) => {
                    say(Stage::Summarising);
                    out.sha256 = if matches!(mode, Mode::Table(_)) {
                        input.sha256.clone()
                    } else {
                        cellguard_io::sha256_hex(&file.bytes)
                    };
                    out.columns = frame.columns.iter().map(|c| c.name.clone()).collect();
                    out.roles = Some(roles_view(&frame, &roles));
                    out.table = Some(views.len() as u32);
                    let sizes: Vec<u32> = table.dims().iter().map(|d| d.len() as u32).collect();
                    views.push(TableView {
                        name: report.input.clone(),
                        dims: roles.dims.clone(),
                        published: roles.published.clone(),
                        counts: counts(&report),
                        rules: rule_views(&report),
                        heat: heat(&report, &sizes),
                    });
                    if matches!(mode, Mode::Microdata(_)) {
                        side.push(NamedBytes {
                            name: file.name.clone(),
                            bytes: Arc::unwrap_or_clone(file.bytes),
                        });
                    } else if input.sha256.is_empty() {
                        self.pending.push((file.name.clone(), file.bytes));
                    }
                    tables.push((input, report));
                    self.order.push(Source::Checked(self.entries.len()));
                    self.entries.push(Entry {
                        frame,
                        roles,
                        table,
                    });
                }
                Err(message) => {
                    out.sha256 = match (&file.sha256, file.hashing) {
                        (Some(h), _) => h.clone(),
                        (None, true) => String::new(),
                        (None, false) => cellguard_io::sha256_hex(&file.bytes),
                    };
                    if let Ok(frame) = cellguard_io::read_frame_shared(&file.name, &file.bytes) {
                        out.columns = frame.columns.iter().map(|c| c.name.clone()).collect();
                        out.looks_like_microdata = matches!(mode, Mode::Table(_))
                            && !out
                                .columns
                                .iter()
                                .any(|c| COUNT_NAMES.iter().any(|n| c.eq_ignore_ascii_case(n)));
                    }
                    out.error = Some(message);
                }
            }
            outcomes.push(out);
        }
        let policy_file = match policy.file.as_ref().map(|f| (f, f.bytes.to_vec())) {
            Some((f, Ok(bytes))) => Some(NamedBytes {
                name: f.name.clone(),
                bytes,
            }),
            // The page read the policy file to use it, so this does not happen; if it did, it is said.
            Some((f, Err(e))) => {
                outcomes.push(FileOutcome::unreadable(&f.name, f.bytes.len() as u64, &e));
                None
            }
            None => None,
        };
        let report =
            cellguard_io::assemble_report(&policy.policy, policy_file.as_ref(), tables, &side);
        let policy_sha256 = report.policy_sha256.clone();
        self.report = Some(report);
        Outcome {
            run,
            files: outcomes,
            tables: views,
            policy_sha256,
            millis: now() - start,
            first: None,
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

    /// A window of rows matching `filter`.
    pub fn rows(
        &mut self,
        run: u32,
        table: u32,
        filter: Filter,
        offset: u32,
        limit: u32,
    ) -> Result<RowsPage, String> {
        // No filter: every cell, in order (no list of a million indices to build).
        let all = filter == Filter::default();
        let cached =
            all || matches!(&self.filtered, Some((t, f, _)) if *t == table && *f == filter);
        if !cached {
            let (_, report) = self.table(run, table)?;
            let cells: Vec<u32> = match filter.rule {
                // By status only: the statuses alone, not each cell's findings.
                None => report
                    .statuses()
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !filter.not_safe || **s != Status::Safe)
                    .map(|(i, _)| i as u32)
                    .collect(),
                Some(r) => report
                    .cells()
                    .enumerate()
                    .filter(|(_, c)| !filter.not_safe || c.status != Status::Safe)
                    .filter(|(_, c)| c.findings.iter().any(|f| f.rule == r))
                    .map(|(i, _)| i as u32)
                    .collect(),
            };
            self.filtered = Some((table, filter, cells));
        }
        let (entry, report) = self.table(run, table)?;
        let matching: &[u32] = self.filtered.as_ref().map_or(&[], |(_, _, c)| c);
        let (total, window): (usize, Box<dyn Iterator<Item = u32>>) = if all {
            let total = report.len();
            let from = (offset as usize).min(total);
            let to = from.saturating_add(limit.min(1000) as usize).min(total);
            (total, Box::new(from as u32..to as u32))
        } else {
            (
                matching.len(),
                Box::new(
                    matching
                        .iter()
                        .skip(offset as usize)
                        .take(limit.min(1000) as usize)
                        .copied(),
                ),
            )
        };
        let published: Vec<_> = entry.map_or_else(Vec::new, |e| {
            e.roles
                .published
                .iter()
                .filter_map(|p| e.frame.column(p))
                .collect()
        });
        let rows = window
            .filter_map(|cell| {
                let c = report.cell(cell)?;
                let mut rules: Vec<_> = c.findings.iter().map(|f| f.rule).collect();
                rules.dedup();
                Some(RowView {
                    cell,
                    coords: report
                        .coords_of(cell)
                        .map(|(_, code)| code.to_owned())
                        .collect(),
                    published: published
                        .iter()
                        .map(|col| col.text(cell as usize).into_owned())
                        .collect(),
                    status: c.status,
                    rules,
                })
            })
            .collect();
        Ok(RowsPage {
            run,
            table,
            filter,
            total: total as u32,
            offset,
            rows,
        })
    }

    /// One cell's explanation.
    pub fn explain(&self, run: u32, table: u32, cell: u32) -> Result<Explanation, String> {
        let (entry, report) = self.table(run, table)?;
        let c = report.cell(cell).ok_or_else(|| format!("no cell {cell}"))?;
        let i = cell as usize;
        let mut shadow = Vec::new();
        // A saved report has the verdicts but not the table's shadow values.
        if let Some(entry) = entry {
            let s = entry.table.shadow();
            let fmt = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), cellguard_io::number);
            if i < s.n.len() {
                shadow.push((
                    "n".to_owned(),
                    s.n.get(i).map_or_else(|| "—".into(), |n| n.to_string()),
                ));
            }
            if let Some(v) = &s.value {
                shadow.push(("value".to_owned(), fmt(v.get(i))));
            }
            for (k, col) in s.top.iter().enumerate() {
                shadow.push((format!("top{}", k + 1), fmt(col.get(i))));
            }
            if let Some(v) = &s.dof {
                shadow.push(("dof".to_owned(), fmt(v.get(i))));
            }
        }
        let coords: Vec<(String, String)> = report
            .coords_of(cell)
            .map(|(d, code)| (d.to_owned(), code.to_owned()))
            .collect();
        // Findings name a dimension by its position; the coordinates list the dimensions in order.
        let dims: Vec<&str> = coords.iter().map(|(d, _)| d.as_str()).collect();
        Ok(Explanation {
            run,
            table,
            cell,
            row: c.row,
            findings: c
                .findings
                .iter()
                .map(|f| FindingView::new(f, &dims))
                .collect(),
            coords,
            status: c.status,
            shadow,
        })
    }

    /// An export of the last run.
    pub fn export(&self, run: u32, kind: &ExportKind) -> Result<Exported, String> {
        if run != self.run {
            return Err(format!("run {run} was replaced by run {}", self.run));
        }
        let report = self.report.as_ref().ok_or("nothing checked yet")?;
        let (filename, mime, bytes) = match kind {
            ExportKind::ReportJson => (
                "cellguard-report.json".to_owned(),
                "application/json",
                report.to_json(),
            ),
            ExportKind::Csv(table) => {
                let c = self.checked(*table)?;
                let stem = c
                    .report
                    .input
                    .rsplit_once('.')
                    .map_or(c.report.input.as_str(), |(s, _)| s);
                (
                    format!("{stem}_checked.csv"),
                    "text/csv",
                    cellguard_io::annotated_csv(&c),
                )
            }
            ExportKind::Xlsx => {
                let all: Vec<_> = (0..self.order.len() as u32)
                    .filter(|&t| matches!(self.order.get(t as usize), Some(Source::Checked(_))))
                    .map(|t| self.checked(t))
                    .collect::<Result<_, _>>()?;
                let refs: Vec<&Checked> = all.iter().collect();
                (
                    "cellguard-tables.xlsx".to_owned(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    cellguard_io::annotated_xlsx(&refs).map_err(|e| e.to_string())?,
                )
            }
            ExportKind::Html(lang) => (
                format!("cellguard-report-{}.html", lang.code()),
                "text/html",
                html_report(report, *lang).into_bytes(),
            ),
        };
        Ok(Exported {
            run,
            filename,
            mime: mime.to_owned(),
            bytes,
        })
    }

    /// A table of the last run as the io crate's [`Checked`] (the report cloned: exports are rare).
    fn checked(&self, table: u32) -> Result<Checked, String> {
        let (e, r) = self.table(self.run, table)?;
        let (Some(e), Some(Source::Checked(i))) = (e, self.order.get(table as usize)) else {
            return Err(format!(
                "{} is a saved report: it holds the verdicts, not the table's values; export its report as JSON or HTML",
                r.input
            ));
        };
        let input = self
            .report
            .as_ref()
            .and_then(|rep| rep.inputs.get(*i).cloned())
            .ok_or("no input record")?;
        Ok(Checked {
            frame: e.frame.clone(),
            roles: e.roles.clone(),
            table: e.table.clone(),
            report: r.clone(),
            input,
        })
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
        let record = self
            .report
            .as_mut()?
            .inputs
            .iter_mut()
            .find(|i| i.name == name && i.sha256.is_empty())?;
        record.sha256.clone_from(&hash);
        Some(hash)
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
            } => {
                let mut out =
                    self.check_prepared(run, files, prepared, &modes, &policy, now, progress);
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
        }
    }
}

/// Table files from this size up are read in two pieces at once when the worker has a helper: the worker
/// splits the head while the helper splits the tail ([`split_point`]).
pub const SPLIT_MIN: usize = 8 << 20;
/// Files above this size are read in one piece: joining holds both pieces' columns for a moment.
pub const SPLIT_MAX: usize = 512 << 20;
/// The part of a file the worker splits itself: a little more than half, as the helper also encodes its piece
/// and hands it over with the bytes it read (on the 1M-cell bench table, measured in Chromium: at 60 % the helper
/// waited for the worker, at 50 % mostly the worker for the helper).
pub const HEAD_SHARE: f64 = 0.55;

/// Where a file of a `Check` is cut for a two-piece read: a table file (not microdata, not a saved report) of
/// [`SPLIT_MIN`] to [`SPLIT_MAX`] bytes. Formats other than CSV are found out when the pieces are read, and read
/// whole.
pub fn split_point(file: &FileIn, modes: &BTreeMap<String, Mode>) -> Option<u64> {
    let len = file.bytes.len();
    let table = matches!(modes.get(&file.name), None | Some(Mode::Table(_)));
    let report = file.name.to_ascii_lowercase().ends_with(".json");
    (table && !report && (SPLIT_MIN..=SPLIT_MAX).contains(&len))
        .then_some((len as f64 * HEAD_SHARE) as u64)
}

/// A table file's frame, read before its `Check` runs: the file's bytes and the frame read from them (or why
/// it could not be read).
#[derive(Debug)]
pub struct Prepared {
    pub bytes: Arc<Vec<u8>>,
    pub frame: Result<cellguard_io::Frame, cellguard_io::Error>,
}

/// The worker's side of a two-piece read: reads the file's first bytes, to a little past `at`
/// ([`cellguard_io::HEADER_BYTES`]), and splits its head up to the line end at or after `at` (`None` when the
/// file cannot be read: the check says why). The helper reads the rest ([`cellguard_io::read_csv_tail`]).
pub fn read_head(file: &FileIn, at: u64) -> Option<cellguard_io::CsvHead> {
    let len = file.bytes.len();
    let at = usize::try_from(at).unwrap_or(usize::MAX).min(len);
    let first = file
        .bytes
        .range(0, at.saturating_add(cellguard_io::HEADER_BYTES))
        .ok()?;
    Some(cellguard_io::read_csv_head(&file.name, first, len, at))
}

/// Joins the head with the rest of the file's bytes (from [`cellguard_io::CsvHead::held`] on) and the
/// helper's tail piece (its bytes; empty when the helper could not read it) into the file's frame.
pub fn join(name: &str, head: cellguard_io::CsvHead, rest: &[u8], tail: &[u8]) -> Prepared {
    let (bytes, frame) = cellguard_io::join_csv_tail(name, head, rest, tail);
    Prepared { bytes, frame }
}

/// Memory the worker takes when it starts: about what a million-cell CSV table needs to be read, checked and
/// summarised (its bytes, its columns, the table and the report).
pub const WORKING_MEMORY: usize = 256 << 20;

/// Takes `bytes` of memory from the browser, writes every page once and gives it back to the allocator, which
/// keeps it for the next allocations. A WebAssembly module's memory only grows, and the browser hands out fresh
/// pages on first touch: a first large file would pay for that page by page while it is read (about a third of
/// its time, measured). The worker does it when it starts, before any file arrives. When the browser refuses
/// the memory, nothing is taken (a file then grows the memory as it needs); returns whether it was taken.
pub fn reserve_memory(bytes: usize) -> bool {
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_err() {
        return false;
    }
    block.resize(bytes, 1);
    std::hint::black_box(&block);
    true
}

/// Runs the whole pipeline once on a small generated table (22,500 cells with every shadow column) and forgets
/// it; returns the cells checked. Browsers compile WebAssembly in two tiers: code first runs as a quick baseline
/// compile and is optimised, function by function, once it has run a while. A first real file would be read,
/// checked and summarised by baseline code, about half as fast; the worker runs this when it starts, before any
/// file arrives, so the optimised code is ready.
pub fn warm_up() -> u64 {
    let csv = warm_up_csv();
    let Ok(policy) = cellguard_engine::Policy::preset("essnet") else {
        return 0;
    };
    let policy = PolicyIn { policy, file: None };
    let mut s = Session::default();
    let out = s.check(
        0,
        vec![FileIn::new("warm-up.csv", csv.into_bytes())],
        &BTreeMap::new(),
        &policy,
        &|| 0.0,
        &mut |_| {},
    );
    for filter in [
        Filter::default(),
        Filter {
            not_safe: true,
            rule: None,
        },
    ] {
        let _ = s.rows(0, 0, filter, 0, crate::state::WINDOW);
    }
    out.tables.first().map_or(0, |t| t.counts.cells)
}

/// The warm-up's table: 150 × 150 cells with every shadow column, seeded.
fn warm_up_csv() -> String {
    use std::fmt::Write;
    let mut csv = String::from("a,b,mean,n,value,top1,top2,top3\n");
    let mut seed: u32 = 7;
    let mut next = move |m: u32| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) % m
    };
    for a in 0..150 {
        for b in 0..150 {
            let n = next(30);
            let tops: Vec<u32> = (0..3)
                .map(|k| if k < n { 100 + next(900) } else { 0 })
                .collect();
            let value: u32 = tops.iter().sum::<u32>() + n.saturating_sub(3) * 50;
            let mean = if n > 0 {
                format!("{:.2}", f64::from(value) / f64::from(n))
            } else {
                String::new()
            };
            let _ = write!(csv, "a{a},b{b},{mean},{n},{value}");
            for (k, t) in tops.iter().enumerate() {
                if (k as u32) < n {
                    let _ = write!(csv, ",{t}");
                } else {
                    csv.push(',');
                }
            }
            csv.push('\n');
        }
    }
    csv
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The printable report: policy, inputs with their SHA-256, per table the counts and every cell that is not
/// safe with its explanation, in `lang`. Self-contained (inline style, no script).
pub fn html_report(report: &Report, lang: Lang) -> String {
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;margin:2em;}}table{{border-collapse:collapse;margin:1em 0;}}td,th{{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;}}.unsafe{{background:#f4c7c3;}}.review{{background:#fce8b2;}}pre{{background:#f4f4f4;padding:1em;}}</style></head><body>\n",
        lang.code(),
        t(lang, "report")
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p>{} {}</p>\n",
        t(lang, "report"),
        t(lang, "generated_by"),
        cellguard_engine::TOOL_VERSION
    ));
    h.push_str(&format!(
        "<h2>{}: {}</h2>\n<pre>{}</pre>\n",
        t(lang, "policy_in_force"),
        esc(&report.policy.name),
        esc(&report.policy.to_toml())
    ));
    if let Some(sha) = &report.policy_sha256 {
        h.push_str(&format!("<p>SHA-256: <code>{sha}</code></p>\n"));
    }
    h.push_str(&format!(
        "<h2>{}</h2>\n<table><tr><th></th><th>bytes</th><th>SHA-256</th></tr>\n",
        t(lang, "inputs")
    ));
    for i in &report.inputs {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            esc(&i.name),
            i.bytes,
            i.sha256
        ));
    }
    h.push_str("</table>\n");
    for tr in &report.tables {
        let s = &tr.summary;
        h.push_str(&format!(
            "<h2>{}</h2>\n<p>{} {} — {} {}, {} {}, {} {}</p>\n",
            esc(&tr.input),
            s.cells,
            t(lang, "cells"),
            s.count(Status::Safe),
            i18n::status(lang, Status::Safe),
            s.count(Status::Review),
            i18n::status(lang, Status::Review),
            s.count(Status::Unsafe),
            i18n::status(lang, Status::Unsafe),
        ));
        let bad: Vec<_> = tr
            .cells()
            .enumerate()
            .filter(|(_, c)| c.status != Status::Safe)
            .collect();
        if bad.is_empty() {
            continue;
        }
        h.push_str(&format!(
            "<h3>{}</h3>\n<table><tr><th>{}</th>",
            t(lang, "not_safe_cells"),
            t(lang, "row")
        ));
        for d in &tr.dimensions {
            h.push_str(&format!("<th>{}</th>", esc(&d.name)));
        }
        h.push_str(&format!(
            "<th>{}</th><th>{}</th></tr>\n",
            t(lang, "status"),
            t(lang, "findings")
        ));
        for (i, c) in bad {
            h.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td>",
                c.status.as_str(),
                c.row
            ));
            for (_, code) in tr.coords_of(i as u32) {
                h.push_str(&format!("<td>{}</td>", esc(code)));
            }
            let findings: Vec<String> = c
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "<b>{}</b> ({}): {}",
                        i18n::rule(lang, f.rule),
                        i18n::status(lang, f.status),
                        esc(&f.detail_in(lang, &tr.dimensions))
                    )
                })
                .collect();
            h.push_str(&format!(
                "<td>{}</td><td>{}</td></tr>\n",
                i18n::status(lang, c.status),
                findings.join("<br>")
            ));
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> FileIn {
        FileIn::new(name, text.as_bytes().to_vec())
    }

    fn essnet() -> PolicyIn {
        PolicyIn {
            policy: cellguard_engine::Policy::preset("essnet").unwrap(),
            file: None,
        }
    }

    const TABLE: &str = "sex;region;mean;n;value;top1;top2\nM;A;10,5;12;126;30;20\nF;A;9;2;18;10;8\nTotal;A;9,9;14;144;30;20\n";

    fn run(session: &mut Session, files: Vec<FileIn>) -> (Outcome, Vec<Response>) {
        let mut progress = Vec::new();
        let out = session.check(1, files, &BTreeMap::new(), &essnet(), &|| 0.0, &mut |r| {
            progress.push(r)
        });
        (out, progress)
    }

    #[test]
    fn the_page_report_is_the_cli_report() {
        let mut s = Session::default();
        let (out, progress) = run(&mut s, vec![file("t.csv", TABLE)]);
        assert_eq!(out.tables.len(), 1);
        assert_eq!(out.tables[0].counts.unsafe_, 1);
        assert!(progress.len() >= 3, "progress for each stage: {progress:?}");
        let json = s.export(1, &ExportKind::ReportJson).unwrap().bytes;
        let checked = cellguard_io::check_file(
            "t.csv",
            TABLE.as_bytes(),
            &TableRoles::default(),
            &essnet().policy,
        )
        .unwrap();
        let cli = cellguard_io::assemble_report(
            &essnet().policy,
            None,
            vec![(checked.input, checked.report)],
            &[],
        );
        assert_eq!(json, cli.to_json());
    }

    #[test]
    fn a_bad_file_is_an_error_and_the_good_one_still_checks() {
        let mut s = Session::default();
        let (out, _) = run(
            &mut s,
            vec![file("bad.csv", "a;b\n\"x;1\n"), file("t.csv", TABLE)],
        );
        assert!(
            out.files[0].error.as_deref().unwrap().contains("bad.csv"),
            "{:?}",
            out.files[0]
        );
        assert_eq!(out.files[1].table, Some(0));
        let page = s
            .rows(
                1,
                0,
                Filter {
                    not_safe: true,
                    rule: None,
                },
                0,
                50,
            )
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.rows[0].coords, ["F", "A"]);
        assert_eq!(page.rows[0].published, ["9"]);
        let ex = s.explain(1, 0, page.rows[0].cell).unwrap();
        assert_eq!(ex.row, 3);
        assert_eq!(ex.findings[0].rule, cellguard_engine::RuleCode::Threshold);
        // Worded by the worker in every language, the numbers the same in each.
        let [en, nl, fr] = [Lang::En, Lang::Nl, Lang::Fr].map(|l| ex.findings[0].detail(l));
        assert!(en.contains("2") && en.contains("10"), "{en}");
        assert!(nl.contains("2") && nl.contains("10") && nl != en, "{nl}");
        assert!(
            fr.contains("2") && fr.contains("10") && fr != en && fr != nl,
            "{fr}"
        );
        assert!(
            s.rows(2, 0, Filter::default(), 0, 10).is_err(),
            "a stale run is refused"
        );
    }

    /// Windows without a filter page through every cell in order; a filter pages through its matches only.
    #[test]
    fn the_warm_up_checks_its_whole_table() {
        assert_eq!(warm_up(), 150 * 150);
        assert!(reserve_memory(1 << 20));
        assert!(
            !reserve_memory(usize::MAX),
            "memory that cannot be had is not taken"
        );
    }

    /// A table file read in two pieces (the head here, the tail by the helper) checks to the same outcome and
    /// the same report bytes as the file read whole, wherever it is cut — also when the helper's tail never
    /// came (the file is then read whole) and when the file is not a CSV.
    #[test]
    fn a_file_read_in_two_pieces_checks_as_one() {
        let policy = essnet();
        let check = |f: &FileIn, prepared: Option<Prepared>| {
            let mut s = Session::default();
            let out = s.check_prepared(
                1,
                vec![f.clone()],
                vec![prepared],
                &BTreeMap::new(),
                &policy,
                &|| 0.0,
                &mut |_| {},
            );
            let json = s.export(1, &ExportKind::ReportJson).unwrap().bytes;
            (out, json)
        };
        let in_two = |f: &FileIn, at: u64, helper: bool| {
            let head = read_head(f, at).unwrap();
            let all = f.bytes.to_vec().unwrap();
            let tail = match helper {
                true => cellguard_io::read_csv_tail(
                    &f.name,
                    &all[..all.len().min(cellguard_io::HEADER_BYTES)],
                    at as usize,
                    &all[at as usize..],
                )
                .to_bytes(),
                false => Vec::new(),
            };
            let split = head.is_split();
            let rest = &all[head.held()..];
            (split, join(&f.name, head, rest, &tail))
        };
        let csv = FileIn::new("t.csv", warm_up_csv().into_bytes());
        let whole = check(&csv, None);
        assert_eq!(whole.0.tables[0].counts.cells, 150 * 150);
        let len = csv.bytes.len() as u64;
        for at in [0, 10, len / 3, len / 2, len - 1, len] {
            for helper in [true, false] {
                let (split, prepared) = in_two(&csv, at, helper);
                assert!(split, "cut at {at}");
                assert_eq!(check(&csv, Some(prepared)), whole, "cut at {at}");
            }
        }
        // Not a CSV: an XLSX file is read whole, to the same outcome.
        let xlsx = include_bytes!("../../tests/corpus/good/table.xlsx");
        let f = FileIn::new("table.xlsx", xlsx.to_vec());
        let (split, prepared) = in_two(&f, f.bytes.len() as u64 / 2, true);
        assert!(!split);
        let read_whole = check(&f, None);
        assert_eq!(read_whole.0.tables.len(), 1);
        assert_eq!(check(&f, Some(prepared)), read_whole);
    }

    #[test]
    fn only_large_table_files_are_cut() {
        let modes = BTreeMap::from([("m.csv".to_owned(), Mode::Microdata(TabulateIn::default()))]);
        let sized = |name: &str, len: usize| FileIn::new(name, vec![b'x'; len]);
        assert_eq!(split_point(&sized("t.csv", SPLIT_MIN - 1), &modes), None);
        assert_eq!(
            split_point(&sized("t.csv", SPLIT_MIN), &modes),
            Some((SPLIT_MIN as f64 * HEAD_SHARE) as u64)
        );
        assert_eq!(split_point(&sized("m.csv", SPLIT_MIN), &modes), None);
        assert_eq!(split_point(&sized("r.JSON", SPLIT_MIN), &modes), None);
    }

    #[test]
    fn row_windows_page_through_the_cells() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let cells = out.tables[0].counts.cells;
        assert!(cells >= 3, "{cells}");
        let unsafe_ = out.tables[0].counts.unsafe_ + out.tables[0].counts.review;
        for offset in 0..=cells as u32 + 1 {
            let page = s.rows(1, 0, Filter::default(), offset, 2).unwrap();
            assert_eq!(page.total, cells as u32);
            let want: Vec<u32> = (offset..(offset + 2).min(cells as u32)).collect();
            assert_eq!(page.rows.iter().map(|r| r.cell).collect::<Vec<_>>(), want);
        }
        let not_safe = Filter {
            not_safe: true,
            rule: None,
        };
        let page = s.rows(1, 0, not_safe, 0, 1000).unwrap();
        assert_eq!(page.total as u64, unsafe_);
        assert!(page.rows.iter().all(|r| r.status != Status::Safe));
        assert_eq!(
            s.rows(1, 0, Filter::default(), 0, 1000).unwrap().rows.len() as u64,
            cells
        );
    }

    #[test]
    fn microdata_is_offered_tabulation_and_tabulates_like_the_cli() {
        let micro = "person_id,sex,region,wage\n1,M,A,100\n2,F,A,200\n3,M,B,50\n";
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("m.csv", micro)]);
        assert!(out.files[0].looks_like_microdata, "{:?}", out.files[0]);
        let mut modes = BTreeMap::new();
        modes.insert(
            "m.csv".to_owned(),
            Mode::Microdata(TabulateIn {
                rows: vec!["region".into()],
                cols: vec!["sex".into()],
                agg: "mean".into(),
                value: Some("wage".into()),
                unit: Some("person_id".into()),
                margins: true,
            }),
        );
        let out = s.check(
            2,
            vec![file("m.csv", micro)],
            &modes,
            &essnet(),
            &|| 0.0,
            &mut |_| {},
        );
        assert_eq!(out.files[0].error, None);
        assert_eq!(out.tables[0].name, "m_mean.csv");
        assert_eq!(out.tables[0].counts.cells, 9);
        let json = String::from_utf8(s.export(2, &ExportKind::ReportJson).unwrap().bytes).unwrap();
        assert!(
            json.contains("\"m.csv\""),
            "the microdata file is an input of the report"
        );
    }

    #[test]
    fn a_saved_report_is_shown_and_explained_but_not_exported_as_a_table() {
        let mut s = Session::default();
        let (_, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let saved = s.export(1, &ExportKind::ReportJson).unwrap().bytes;
        let mut s2 = Session::default();
        let out = s2.check(
            1,
            vec![FileIn::new("saved.json", saved), file("t.csv", TABLE)],
            &BTreeMap::new(),
            &essnet(),
            &|| 0.0,
            &mut |_| {},
        );
        assert_eq!(out.files[0].error, None);
        assert_eq!(out.tables.len(), 2);
        assert_eq!(out.tables[0].name, "t.csv (saved.json, policy essnet)");
        assert_eq!(out.tables[0].counts, out.tables[1].counts);
        let page = s2
            .rows(
                1,
                0,
                Filter {
                    not_safe: true,
                    rule: None,
                },
                0,
                10,
            )
            .unwrap();
        assert_eq!(page.rows[0].coords, ["F", "A"]);
        let ex = s2.explain(1, 0, page.rows[0].cell).unwrap();
        assert_eq!(ex.findings[0].rule, cellguard_engine::RuleCode::Threshold);
        assert!(ex.shadow.is_empty());
        let err = s2.export(1, &ExportKind::Csv(0)).unwrap_err();
        assert!(err.contains("saved report"), "{err}");
        // The page's own report holds the table it checked, not the saved one.
        let json = String::from_utf8(s2.export(1, &ExportKind::ReportJson).unwrap().bytes).unwrap();
        assert!(!json.contains("saved.json"));
        assert!(s2.export(1, &ExportKind::Xlsx).is_ok());
        let bad = s2.check(
            2,
            vec![FileIn::new(
                "bad.json",
                b"{ \"schema\": \"cellguard-report/1\" ".to_vec(),
            )],
            &BTreeMap::new(),
            &essnet(),
            &|| 0.0,
            &mut |_| {},
        );
        assert!(
            bad.files[0]
                .error
                .as_deref()
                .unwrap()
                .starts_with("bad.json: cannot read cellguard report JSON"),
            "{:?}",
            bad.files[0]
        );
    }

    #[test]
    fn heat_marks_the_worst_status_per_block() {
        let mut s = Session::default();
        let (out, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let h = &out.tables[0].heat;
        // sex (3 codes) down, region (1 code) across.
        assert_eq!((h.width, h.height), (1, 3));
        assert!(h.pixels.contains(&3) && h.pixels.contains(&1));
    }

    #[test]
    fn exports_csv_xlsx_and_html_in_every_language() {
        let mut s = Session::default();
        run(&mut s, vec![file("t.csv", TABLE)]);
        let csv = s.export(1, &ExportKind::Csv(0)).unwrap();
        assert_eq!(csv.filename, "t_checked.csv");
        assert!(
            String::from_utf8(csv.bytes)
                .unwrap()
                .contains("F,A,x,unsafe")
        );
        assert!(
            s.export(1, &ExportKind::Xlsx)
                .unwrap()
                .bytes
                .starts_with(b"PK")
        );
        for lang in Lang::ALL {
            let html =
                String::from_utf8(s.export(1, &ExportKind::Html(lang)).unwrap().bytes).unwrap();
            assert!(
                html.contains(&esc(&cellguard_engine::Finding {
                    rule: cellguard_engine::RuleCode::Threshold,
                    status: Status::Unsafe,
                    values: cellguard_engine::rules::Detail::Threshold {
                        n: 2,
                        min_units: 10
                    },
                }
                .detail_in(lang, &[] as &[&str]))),
                "{lang:?}"
            );
        }
    }
}

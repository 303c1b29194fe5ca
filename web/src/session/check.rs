//! A `Check` run: each table file checked from its bytes (or from a frame read beforehand in two pieces),
//! microdata tabulated first as `cellguard tabulate` would, saved reports shown as they are; the outcome the page
//! draws, and the tables and report kept for the requests that follow.
//!
//! (Past 600 lines with its tests: one run's reading, tabulating and checking, tested through real sessions.)

use super::{Entry, Prepared, Session, Source, heat};
use crate::protocol::*;
use cellguard_engine::tabulate::{Agg, TabulateSpec};
use cellguard_engine::{FailedInput, InputRecord, Status, TableReport};
use cellguard_io::{Checked, MicroRoles, NamedBytes, TableRoles};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) fn to_roles(r: &RolesIn) -> TableRoles {
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
struct LoadedFile {
    name: String,
    /// Shared with the checked frame, whose text columns point into it.
    bytes: Arc<Vec<u8>>,
    sha256: Option<String>,
    hashing: bool,
}

/// Reads a microdata file and tabulates it as `cellguard tabulate` would; returns the table file's name and
/// bytes (the CSV the CLI would write).
fn tabulate(file: &LoadedFile, with: &[Joined], spec: &TabulateIn) -> Result<NamedBytes, Said> {
    let name = &file.name;
    let agg = match spec.agg.as_str() {
        "count" => Agg::Count,
        "sum" => Agg::Sum,
        "mean" => Agg::Mean,
        other => {
            return Err(Said::words(
                format!("{name}: unknown statistic `{other}`; choose count, sum or mean"),
                format!("{name}: onbekende statistiek `{other}`; kies count, sum of mean"),
                format!("{name} : statistique `{other}` inconnue ; choisissez count, sum ou mean"),
            ));
        }
    };
    if spec.rows.is_empty() && spec.cols.is_empty() {
        return Err(Said::words(
            format!("{name}: choose the table's rows and/or columns"),
            format!("{name}: kies de rijen en/of kolommen van de tabel"),
            format!("{name} : choisissez les lignes et/ou les colonnes du tableau"),
        ));
    }
    if agg != Agg::Count && spec.value.as_deref().unwrap_or("").is_empty() {
        let what = agg.as_str();
        return Err(Said::words(
            format!("{name}: a {what} needs a value column"),
            format!("{name}: een {what} heeft een waardekolom nodig"),
            format!("{name} : un {what} a besoin d'une colonne de valeur"),
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
    // Only the columns the table needs are read; partition keys are columns too.
    let wanted: Vec<&str> = roles
        .dims
        .iter()
        .chain(&roles.value)
        .chain(&roles.unit)
        .map(String::as_str)
        .collect();
    // This file's rows (with the keys typed for it), then those of the files tabulated with it.
    let mut frames = vec![microdata_frame(
        &file.name,
        &file.bytes,
        &spec.keys,
        &wanted,
    )?];
    for w in with {
        frames.push(microdata_frame(&w.name, &w.bytes, &w.keys, &wanted)?);
    }
    let mut ts = TabulateSpec::new(&[], &[], agg);
    ts.rows = spec.rows.clone();
    ts.cols = spec.cols.clone();
    ts.margins = spec.margins;
    if frames.len() > 1 {
        // Each file's rows are checked on their own first, so that a bad row is named with its own file.
        for frame in &frames {
            let md = cellguard_io::microdata_from_frame(frame, &roles)?;
            cellguard_engine::tabulate::Tabulator::from_data(&ts, &md)
                .map_err(|e| Said::engine(&frame.file, &e))?;
        }
    }
    let frame = cellguard_io::concat_frames(frames)?;
    let md = cellguard_io::microdata_from_frame(&frame, &roles)?;
    let stem = file
        .name
        .rsplit_once('.')
        .map_or(file.name.as_str(), |(s, _)| s);
    let name = format!("{stem}_{}.csv", agg.as_str());
    let tab = cellguard_engine::tabulate(&name, &md, &ts, &mut |_, _| {})
        .map_err(|e| Said::engine(&file.name, &e))?;
    Ok(NamedBytes {
        name,
        bytes: cellguard_io::tabulated_to_csv(&tab),
    })
}

/// The `wanted` columns of a microdata file, its partition keys among them (see [`keys_of`]).
fn microdata_frame(
    name: &str,
    bytes: &Arc<Vec<u8>>,
    given: &str,
    wanted: &[&str],
) -> Result<cellguard_io::Frame, Said> {
    let keys = keys_of(name, given)?;
    if keys.is_empty() {
        return Ok(cellguard_io::read_frame_columns_shared(
            name, bytes, wanted,
        )?);
    }
    let names = cellguard_io::column_names(name, bytes)?;
    let from_file = cellguard_io::columns_from_file(&keys, wanted, &names);
    let frame = cellguard_io::read_frame_columns_shared(name, bytes, &from_file)?;
    Ok(cellguard_io::with_wanted_keys(
        frame, &keys, &names, wanted,
    )?)
}

/// A microdata file's partition keys: those of the folders in its name, then those the user gave it (`given`:
/// `key=value`, several separated by `/`, spaces around each ignored). A key given twice is an error.
fn keys_of(name: &str, given: &str) -> Result<Vec<cellguard_io::PartitionKey>, Said> {
    let mut keys = cellguard_io::partition_keys(name)?;
    for typed in given.split('/').map(str::trim).filter(|k| !k.is_empty()) {
        let Some((key, value)) = typed
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| !k.is_empty())
        else {
            return Err(Said::words(
                format!(
                    "{name}: `{typed}` is not a partition key; write key=value, e.g. year=2015"
                ),
                format!(
                    "{name}: `{typed}` is geen partitiesleutel; schrijf sleutel=waarde, bv. year=2015"
                ),
                format!(
                    "{name} : `{typed}` n'est pas une clé de partition ; écrivez clé=valeur, p. ex. year=2015"
                ),
            ));
        };
        if keys.iter().any(|k| k.key == key) {
            return Err(Said::words(
                format!(
                    "{name}: the partition key `{key}` is given twice (typed, or typed and in the file's folders)"
                ),
                format!(
                    "{name}: de partitiesleutel `{key}` is twee keer gegeven (getypt, of getypt en in de mappen van het bestand)"
                ),
                format!(
                    "{name} : la clé de partition `{key}` est donnée deux fois (tapée, ou tapée et dans les dossiers du fichier)"
                ),
            ));
        }
        keys.push(cellguard_io::PartitionKey {
            key: key.to_owned(),
            value: Some(value.to_owned()),
        });
    }
    Ok(keys)
}

/// The columns a microdata file offers the tabulation form: its own and its partition keys'.
fn offered_columns(name: &str, own: Vec<String>, mode: &Mode) -> Vec<String> {
    let given = match mode {
        Mode::Microdata(spec) => spec.keys.as_str(),
        Mode::Table(_) => "",
    };
    let keys = keys_of(name, given).unwrap_or_default();
    own.into_iter()
        .chain(keys.into_iter().map(|k| k.key))
        .collect()
}

/// A file tabulated with another: its name, bytes and the keys typed for it.
struct Joined {
    name: String,
    bytes: Arc<Vec<u8>>,
    keys: String,
}

/// The files to tabulate with `name` (itself not), read, each within the page's size limit, with the keys typed
/// for them when they were tabulated on their own.
fn joined(
    file: &LoadedFile,
    with: &[String],
    sources: &BTreeMap<String, Bytes>,
    modes: &BTreeMap<String, Mode>,
) -> Result<Vec<Joined>, Said> {
    let name = file.name.as_str();
    let with: Vec<&String> = with.iter().filter(|w| *w != name).collect();
    // Their bytes and this file's are all in the page's memory at once: held to the limit of one file together.
    let limit = cellguard_io::limits::MAX_PAGE_FILE_BYTES;
    let total = (with.iter())
        .map(|w| sources.get(*w).map_or(0, |b| b.len() as u64))
        .fold(file.bytes.len() as u64, u64::saturating_add);
    if total > limit {
        let (size, most) = (
            cellguard_io::limits::bytes(total),
            cellguard_io::limits::bytes(limit),
        );
        return Err(Said::words(
            format!(
                "{name}: the files to tabulate together take {size} ({total} bytes), over the page's limit of {most} \
                 for one table's files; tabulate them with `cellguard tabulate`"
            ),
            format!(
                "{name}: de samen te tabuleren bestanden nemen {size} in ({total} bytes), boven de grens van de pagina \
                 van {most} voor de bestanden van één tabel; tabuleer ze met `cellguard tabulate`"
            ),
            format!(
                "{name} : les fichiers à tabuler ensemble font {size} ({total} octets), au-delà de la limite de la page \
                 de {most} pour les fichiers d'un tableau ; tabulez-les avec `cellguard tabulate`"
            ),
        ));
    }
    with.into_iter()
        .map(|w| {
            let bytes = sources.get(w).ok_or_else(|| {
                Said::words(
                    format!("{name}: `{w}`, to tabulate with it, is no longer loaded"),
                    format!("{name}: `{w}`, om ermee te tabuleren, is niet meer geladen"),
                    format!("{name} : `{w}`, à tabuler avec lui, n'est plus chargé"),
                )
            })?;
            let keys = match modes.get(w) {
                Some(Mode::Microdata(spec)) => spec.keys.clone(),
                _ => String::new(),
            };
            Ok(Joined {
                name: w.clone(),
                bytes: Arc::new(bytes.to_vec().map_err(Said::english)?),
                keys,
            })
        })
        .collect()
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
        self.patterns.clear();
        let total = files.len() as u32;
        // Microdata may be tabulated with other files of the run: their bytes are read again when asked for.
        let sources: BTreeMap<String, Bytes> = files
            .iter()
            .map(|f| (f.name.clone(), f.bytes.clone()))
            .collect();
        let mut outcomes = Vec::with_capacity(files.len());
        let mut tables = Vec::new();
        let mut views = Vec::new();
        let mut side = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            let size = file.bytes.len() as u64;
            // A file over the page's limit is refused before it is read (its size is known without reading it).
            if let Err(e) = cellguard_io::limits::check_file_size(
                &file.name,
                size,
                cellguard_io::limits::MAX_PAGE_FILE_BYTES,
            ) {
                outcomes.push(FileOutcome::new(&file.name, size).failed(e.into()));
                continue;
            }
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
            let file = LoadedFile {
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
                            views.push(TableView {
                                name: format!(
                                    "{} ({}, policy {})",
                                    tr.input, file.name, saved.policy.name
                                ),
                                dims: tr.dimensions.iter().map(|d| d.name.clone()).collect(),
                                published: Vec::new(),
                                counts: counts(&tr),
                                rules: rule_views(&tr),
                                heat: heat(&tr),
                            });
                            self.order.push(Source::Viewed(self.viewed.len()));
                            self.viewed.push(tr);
                        }
                    }
                    Err(e) => out = out.failed(e.into()),
                }
                outcomes.push(out);
                continue;
            }
            let mode = modes.get(&file.name).cloned().unwrap_or_default();
            let roles = match &mode {
                Mode::Table(r) => to_roles(r),
                Mode::Microdata(_) => TableRoles::default(),
            };
            // Files whose rows were tabulated with this one's (microdata).
            let mut tabulated_with: Vec<Joined> = Vec::new();
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
                    .map_err(Said::from)
                }
                Mode::Microdata(spec) => {
                    say(Stage::Tabulating);
                    joined(&file, &spec.with, &sources, modes)
                        .and_then(|with| {
                            let table = tabulate(&file, &with, spec);
                            tabulated_with = with;
                            table
                        })
                        .and_then(|input| {
                            say(Stage::Checking);
                            cellguard_io::check_file(
                                &input.name,
                                &input.bytes,
                                &roles,
                                &policy.policy,
                            )
                            .map_err(Said::from)
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
                    // Microdata keeps offering its own columns (the form tabulates it again), not the table's.
                    out.columns = match &mode {
                        Mode::Microdata(_) => offered_columns(
                            &file.name,
                            cellguard_io::column_names(&file.name, &file.bytes).unwrap_or_default(),
                            &mode,
                        ),
                        Mode::Table(_) => frame.columns.iter().map(|c| c.name.clone()).collect(),
                    };
                    out.roles = Some(roles_view(&frame, &roles));
                    out.table = Some(views.len() as u32);
                    views.push(TableView {
                        name: report.input.clone(),
                        dims: roles.dims.clone(),
                        published: roles.published.clone(),
                        counts: counts(&report),
                        rules: rule_views(&report),
                        heat: heat(&report),
                    });
                    if matches!(mode, Mode::Microdata(_)) {
                        // The microdata, and the files tabulated with it, are inputs of the report (once each).
                        let more = tabulated_with.into_iter().map(|w| (w.name, w.bytes));
                        for (name, bytes) in
                            std::iter::once((file.name.clone(), file.bytes)).chain(more)
                        {
                            if !side.iter().any(|s: &NamedBytes| s.name == name) {
                                side.push(NamedBytes {
                                    name,
                                    bytes: Arc::unwrap_or_clone(bytes),
                                });
                            }
                        }
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
                        (None, true) => {
                            // The report lists the file with its hash, which the page sends later.
                            self.pending.push((file.name.clone(), file.bytes.clone()));
                            String::new()
                        }
                        (None, false) => cellguard_io::sha256_hex(&file.bytes),
                    };
                    if let Ok(frame) = cellguard_io::read_frame_shared(&file.name, &file.bytes) {
                        let own = frame.columns.iter().map(|c| c.name.clone()).collect();
                        out.columns = offered_columns(&file.name, own, &mode);
                        out.looks_like_microdata = matches!(mode, Mode::Table(_))
                            && !out
                                .columns
                                .iter()
                                .any(|c| COUNT_NAMES.iter().any(|n| c.eq_ignore_ascii_case(n)));
                    }
                    out = out.failed(message);
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
        let mut report =
            cellguard_io::assemble_report(&policy.policy, policy_file.as_ref(), tables, &side);
        report.failed = failed_inputs(&outcomes, &report.inputs);
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
}

/// The files of a run that could not be checked, for the report: every outcome with an error, except a file the
/// report has as an input all the same (microdata that was tabulated with another file's rows).
fn failed_inputs(outcomes: &[FileOutcome], inputs: &[InputRecord]) -> Vec<FailedInput> {
    outcomes
        .iter()
        .filter(|o| !inputs.iter().any(|i| i.name == o.name))
        .filter_map(|o| {
            Some(FailedInput {
                name: o.name.clone(),
                sha256: (!o.sha256.is_empty()).then(|| o.sha256.clone()),
                bytes: o.bytes,
                error: o.error.clone()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::fixtures::*;
    use cellguard_engine::Lang;

    #[test]
    fn the_page_report_is_the_cli_report() {
        let mut s = Session::default();
        let (out, progress) = run(&mut s, vec![file("t.csv", TABLE)]);
        assert_eq!(out.tables.len(), 1);
        assert_eq!(out.tables[0].counts.unsafe_, 1);
        assert!(progress.len() >= 3, "progress for each stage: {progress:?}");
        let json = exported(&s, 1, ExportKind::ReportJson);
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
        // The compact report too.
        let compact = s.export(1, &ExportKind::CompactJson).unwrap();
        assert_eq!(compact.filename, "cellguard-report-compact.json");
        let mut want = Vec::new();
        cli.write_json_compact(&mut want).unwrap();
        assert_eq!(compact.bytes.to_vec().unwrap(), want);
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
        // Said in Dutch and French too, with the file's name and line.
        let nl = out.files[0].error_in(Lang::Nl).unwrap();
        assert!(nl.starts_with("bad.csv: regel 2"), "{nl}");
        let fr = out.files[0].error_in(Lang::Fr).unwrap();
        assert!(fr.starts_with("bad.csv : ligne 2"), "{fr}");
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
        // The file that could not be checked is in the exported reports, with its hash and its error.
        let json = exported(&s, 1, ExportKind::ReportJson);
        let read = cellguard_io::read_report("r.json", &json).unwrap();
        assert_eq!(read.failed.len(), 1);
        let failed = &read.failed[0];
        assert_eq!(failed.name, "bad.csv");
        assert_eq!(
            failed.sha256.as_deref(),
            Some(cellguard_io::sha256_hex(b"a;b\n\"x;1\n").as_str())
        );
        assert_eq!(Some(&failed.error), out.files[0].error.as_ref());
        assert!(!read.all_safe());
        for lang in Lang::ALL {
            let html = String::from_utf8(exported(&s, 1, ExportKind::Html(lang))).unwrap();
            assert!(
                html.contains(crate::i18n::t(lang, "failed_files")) && html.contains("bad.csv"),
                "{lang:?}"
            );
        }
    }

    /// A file that fails while the page hashes it is listed with the page's hash, or the worker's when the page
    /// sends none before the export.
    #[test]
    fn a_failed_file_gets_its_hash_in_the_report() {
        let bytes = b"a;b\n\"x;1\n";
        let sha = cellguard_io::sha256_hex(bytes);
        for page_sends in [true, false] {
            let mut s = Session::default();
            let mut f = file("bad.csv", std::str::from_utf8(bytes).unwrap());
            f.hashing = true;
            let (out, _) = run(&mut s, vec![f]);
            assert_eq!(out.files[0].sha256, "", "waiting for the page");
            if page_sends {
                assert_eq!(s.digest(1, "bad.csv", Some(&sha)), Some(sha.clone()));
            }
            let request = Request::Export {
                run: 1,
                kind: ExportKind::ReportJson,
            };
            let Response::Exported(json) = s.handle(request, &|| 0.0, &mut |_| {}) else {
                panic!("no export")
            };
            let read = cellguard_io::read_report("r.json", &json.bytes.to_vec().unwrap()).unwrap();
            assert_eq!(read.failed[0].sha256.as_deref(), Some(sha.as_str()));
        }
    }

    /// A pattern is kept only when it has a role for every cell and every cell that is not safe is a primary.
    #[test]
    fn a_pattern_must_fit_its_table() {
        let mut s = Session::default();
        run(&mut s, vec![file("t.csv", TABLE)]);
        // TABLE: M safe, F unsafe, Total safe.
        assert!(s.keep_pattern(1, 0, &[2, 1, 0]).is_ok());
        assert!(
            s.keep_pattern(1, 0, &[2, 1])
                .unwrap_err()
                .contains("2 cells for a table of 3")
        );
        assert!(
            s.keep_pattern(1, 0, &[0, 0, 0])
                .unwrap_err()
                .contains("cell 1 is unsafe")
        );
        assert!(
            s.keep_pattern(1, 0, &[3, 1, 0])
                .unwrap_err()
                .contains("no role 3")
        );
        assert!(s.keep_pattern(2, 0, &[2, 1, 0]).is_err(), "a stale run");
    }

    #[test]
    fn a_run_whose_files_all_checked_lists_none_failed() {
        let mut s = Session::default();
        run(&mut s, vec![file("t.csv", TABLE)]);
        let json = exported(&s, 1, ExportKind::ReportJson);
        assert!(!String::from_utf8(json).unwrap().contains("\"failed\""));
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
                ..TabulateIn::default()
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
        let json = String::from_utf8(exported(&s, 2, ExportKind::ReportJson)).unwrap();
        assert!(
            json.contains("\"m.csv\""),
            "the microdata file is an input of the report"
        );
    }

    /// Files of a picked folder carry their folders' keys as columns, and two yearly files tabulated together
    /// make one table in which a person seen in both years is one unit of the total; a key typed for a file is a
    /// column too, and one that is not `key=value` is refused, saying how to write it.
    #[test]
    fn partitioned_microdata_is_tabulated_together_with_its_keys() {
        let y2019 = "person_id,sex\n1,F\n2,M\n3,M\n";
        let y2020 = "person_id,sex\n1,F\n4,F\n";
        let files = || {
            vec![
                file("pop/year=2019/p.csv", y2019),
                file("pop/year=2020/p.csv", y2020),
            ]
        };
        let mut s = Session::default();
        let (out, _) = run(&mut s, files());
        assert_eq!(out.files[0].columns, ["person_id", "sex", "year"]);
        let spec = |keys: &str| TabulateIn {
            rows: vec!["year".into(), "wave".into()],
            cols: vec!["sex".into()],
            agg: "count".into(),
            unit: Some("person_id".into()),
            margins: true,
            keys: keys.into(),
            with: vec!["pop/year=2020/p.csv".into()],
            ..TabulateIn::default()
        };
        // The 2019 file with a typed key, tabulated with the 2020 file, whose own key was typed when it was
        // tabulated alone.
        let modes = BTreeMap::from([
            (
                "pop/year=2019/p.csv".to_owned(),
                Mode::Microdata(spec("wave=1")),
            ),
            (
                "pop/year=2020/p.csv".to_owned(),
                Mode::Microdata(TabulateIn {
                    keys: "wave=2".into(),
                    with: Vec::new(),
                    ..spec("")
                }),
            ),
        ]);
        let out = s.check(2, files(), &modes, &essnet(), &|| 0.0, &mut |_| {});
        assert_eq!(out.files[0].error, None);
        // year (2019, 2020, Total) × wave (1, 2, Total) × sex (F, M, Total), less the year × wave pairs no row
        // has (2019 × 2, 2020 × 1) with their sexes.
        assert_eq!(out.tables[0].counts.cells, 27 - 6);
        let table = &s.entries[0].table;
        let total = (0..table.len() as u32)
            .find(|&c| {
                let coords = table.cell_coords(c);
                (table.dims().iter().zip(coords)).all(|(d, &id)| d.code(id) == "Total")
            })
            .unwrap();
        assert_eq!(
            table.n(total),
            Some(4),
            "persons 1 to 4, person 1 in both years"
        );
        // Both files are inputs of the report.
        let json = String::from_utf8(exported(&s, 2, ExportKind::ReportJson)).unwrap();
        assert!(
            json.contains("\"pop/year=2019/p.csv\"") && json.contains("\"pop/year=2020/p.csv\"")
        );
        // A bad row of the file tabulated with it is named with that file; typed keys may have spaces around.
        let bad = || {
            vec![
                file("pop/year=2019/p.csv", y2019),
                file("pop/year=2020/p.csv", "person_id,sex\n1,F\n4,\n"),
            ]
        };
        let modes = BTreeMap::from([
            (
                "pop/year=2019/p.csv".to_owned(),
                Mode::Microdata(spec(" wave = 1 / ")),
            ),
            (
                "pop/year=2020/p.csv".to_owned(),
                Mode::Microdata(TabulateIn {
                    with: Vec::new(),
                    ..spec("wave=2")
                }),
            ),
        ]);
        let out = s.check(4, bad(), &modes, &essnet(), &|| 0.0, &mut |_| {});
        let e = out.files[0].error.clone().unwrap_or_default();
        assert!(
            e.starts_with("pop/year=2020/p.csv, row 3, column `sex`"),
            "{e}"
        );
        let modes = BTreeMap::from([(
            "pop/year=2019/p.csv".to_owned(),
            Mode::Microdata(spec("2015")),
        )]);
        let out = s.check(3, files(), &modes, &essnet(), &|| 0.0, &mut |_| {});
        let e = out.files[0].error.clone().unwrap_or_default();
        assert!(
            e.contains("`2015` is not a partition key; write key=value"),
            "{e}"
        );
    }

    #[test]
    fn a_saved_report_is_shown_and_explained_but_not_exported_as_a_table() {
        let mut s = Session::default();
        let (_, _) = run(&mut s, vec![file("t.csv", TABLE)]);
        let saved = exported(&s, 1, ExportKind::ReportJson);
        let mut s2 = Session::with_xlsx();
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
        let json = String::from_utf8(exported(&s2, 1, ExportKind::ReportJson)).unwrap();
        assert!(!json.contains("saved.json"));
        assert!(s2.export(1, &ExportKind::Xlsx).is_ok());
        let bad = s2.check(
            2,
            vec![FileIn::new(
                "bad.json",
                b"{ \"schema\": \"cellguard-report/2\" ".to_vec(),
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
}

//! The page's state and its reducer: every user action and every worker answer is an [`Action`]; the reducer
//! updates the [`State`] and says which [`Effect`]s to run (a request to the worker, a cancel, a download).
//! No browser API here, so it is tested natively.
//!
//! (Past 600 lines with its tests: one reducer, tested against a real session beside it.)

use crate::protocol::*;
use cellguard_engine::{Lang, Policy};
use std::collections::BTreeMap;

/// Rows fetched per window of the virtualised table.
pub const WINDOW: u32 = 200;

/// A loaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFile {
    pub name: String,
    pub bytes: Bytes,
    pub sha256: Option<String>,
    /// The page is hashing it (its hash comes as [`Action::Digested`]).
    pub hashing: bool,
    pub mode: Mode,
    /// The worker crashed while reading it: it is not sent again (until dropped again or its mode changes), and
    /// its outcome says so.
    pub crashed: bool,
}

/// Progress of the run in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct Busy {
    pub run: u32,
    pub file: String,
    pub stage: Option<Stage>,
    pub done: u32,
    pub total: u32,
}

impl Busy {
    /// Fraction done, 0‥1: files done plus a share of the current file by stage.
    pub fn fraction(&self) -> f64 {
        let stage = match self.stage {
            None => 0.0,
            Some(Stage::Reading) | Some(Stage::Tabulating) => 0.1,
            Some(Stage::Checking) => 0.4,
            Some(Stage::Summarising) => 0.9,
        };
        if self.total == 0 {
            return 0.0;
        }
        ((f64::from(self.done) + stage) / f64::from(self.total)).clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    pub files: Vec<LoadedFile>,
    pub policy: Policy,
    /// The policy file the parameters came from (cleared when edited).
    pub policy_file: Option<FileIn>,
    /// Problems that are not about a table file (a policy file that does not parse…).
    pub notices: Vec<String>,
    pub run: u32,
    pub busy: Option<Busy>,
    pub outcome: Option<Outcome>,
    pub selected: u32,
    pub filter: Filter,
    pub page: Option<RowsPage>,
    pub explanation: Option<Explanation>,
    /// The last run was cancelled: no results are shown until the next one.
    pub cancelled: bool,
    /// Policy text the user applied that is not a valid policy, with why (in the language of the page when it was
    /// applied): the editor keeps showing it (the policy in force does not change) until a valid policy is applied.
    pub policy_draft: Option<(String, String)>,
    /// The run that tries again one whose worker crashed before naming a file (see [`Action::WorkerCrashed`]).
    pub retry: Option<u32>,
    /// Where a click on the status map goes: the row the table scrolls to and the cell that takes the focus
    /// (the page clears it once the row has the focus).
    pub jump: Option<(u32, u32)>,
    /// Secondary suppression of the table shown (see [`Protecting`]).
    pub protect: Protecting,
}

/// Secondary suppression in the page: the method and cost chosen, the request in flight, and the last answer
/// with the run and table it is of (shown only while that table of that run is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Protecting {
    pub method: cellguard_engine::suppress::Method,
    pub cost: cellguard_engine::suppress::Cost,
    /// Seconds `optimal` may search (none: until its budget of solver work is spent).
    pub time_limit: Option<f64>,
    /// How far the request in flight is: steps done of all.
    pub progress: Option<(u32, u32)>,
    /// Requests made so far; an answer to an older one is not shown.
    pub job: u32,
    /// The request in flight: its job, run and table.
    pub running: Option<(u32, u32, u32)>,
    /// The last answer: its run and table, and the protected table or why it could not be.
    pub done: Option<(u32, u32, Result<crate::protect::Protected, Said>)>,
    /// The patterns of this run's tables that passed their audit, per table: the exports carry them (the
    /// checking worker has them, and the export module gets them with each workbook).
    pub kept: BTreeMap<u32, Vec<u8>>,
    /// Whether the table shown is protected with the run's other tables, as linked tables.
    pub linked: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            lang: Lang::En,
            files: Vec::new(),
            policy: Policy::preset("essnet").unwrap_or_else(|_| unreachable_policy()),
            policy_file: None,
            notices: Vec::new(),
            run: 0,
            busy: None,
            outcome: None,
            selected: 0,
            filter: Filter::default(),
            page: None,
            explanation: None,
            cancelled: false,
            policy_draft: None,
            retry: None,
            jump: None,
            protect: Protecting::default(),
        }
    }
}

/// The built-in preset always exists; this keeps the reducer free of panics all the same.
fn unreachable_policy() -> Policy {
    Policy {
        name: "essnet".into(),
        description: String::new(),
        threshold: None,
        dominance: Vec::new(),
        p_percent: None,
        pq: None,
        class_disclosure: None,
        zero: cellguard_engine::policy::Zero {
            sampling: cellguard_engine::policy::Action::Review,
        },
        negative: cellguard_engine::policy::Action::Review,
        missing: cellguard_engine::policy::Action::Review,
        missing_rows: cellguard_engine::policy::Action::Safe,
        dof: None,
        additivity: cellguard_engine::policy::Action::Review,
        inconsistent: cellguard_engine::policy::Action::Review,
        suppression: None,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetLang(Lang),
    AddFiles(Vec<FileIn>),
    RemoveFile(String),
    ClearFiles,
    SetMode(String, Mode),
    Preset(String),
    PolicyFile(FileIn),
    /// A policy edited in the form or as TOML text.
    EditPolicy(String),
    Cancel,
    Select(u32),
    SetFilter(Filter),
    /// The table view scrolled to this row.
    Scrolled(u32),
    /// A click on block (`x`, `y`) of the status map: the table goes to a cell of that block.
    Locate {
        x: u32,
        y: u32,
    },
    ShowCell(u32),
    CloseExplanation,
    Export(ExportKind),
    /// A problem outside the worker (a file the browser could not read).
    Notice(String),
    /// The page hashed a loaded file (`None`: it could not; the worker hashes it).
    Digested {
        name: String,
        bytes: Bytes,
        sha256: Option<String>,
    },
    /// An answer from the worker.
    Worker(Response),
    /// The worker crashed: a panic in a reader or the engine (the WebAssembly stops for good), or an error
    /// thrown through it.
    WorkerCrashed,
    /// The method and cost the next protection uses.
    SetProtectOptions(
        cellguard_engine::suppress::Method,
        cellguard_engine::suppress::Cost,
    ),
    /// The time limit of the `optimal` method, in seconds (none: its budget of solver work).
    SetProtectTimeLimit(Option<f64>),
    /// Whether the table shown is protected with the run's other tables, as linked tables.
    SetProtectLinked(bool),
    /// How far the protect module is with a request.
    ProtectProgress {
        job: u32,
        done: u32,
        total: u32,
    },
    /// Protect the table shown with this method and cost.
    Protect(
        cellguard_engine::suppress::Method,
        cellguard_engine::suppress::Cost,
    ),
    /// Stop protecting (the protect module's worker is ended).
    StopProtecting,
    /// The protect module's answer.
    Protected(crate::protect::ProtectOut),
    /// The protect module's worker crashed or could not start: why.
    ProtectCrashed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(Request),
    /// Hand this table to the protect module (started the first time).
    Protect(Box<crate::protect::ProtectIn>),
    /// End the protect module's worker (a search is stopped; the next request starts a new one).
    StopProtect,
    /// Hand these requests to the export module (started the first time), which answers the last with the
    /// export.
    Export(Vec<Request>),
    /// Stop the worker at once and start a fresh one.
    Restart,
    Download(Exported),
    SaveLang(Lang),
}

impl State {
    fn check(&mut self) -> Vec<Effect> {
        self.run += 1;
        self.cancelled = false;
        self.page = None;
        self.jump = None;
        self.protect.kept.clear();
        self.explanation = None;
        if self.files.is_empty() {
            self.busy = None;
            self.outcome = None;
            return Vec::new();
        }
        if self.files.iter().all(|f| f.crashed) {
            self.busy = None;
            let mut out = Outcome {
                run: self.run,
                files: Vec::new(),
                tables: Vec::new(),
                policy_sha256: None,
                millis: 0.0,
                first: None,
            };
            self.add_crashed(&mut out);
            self.outcome = Some(out);
            return Vec::new();
        }
        self.busy = Some(Busy {
            run: self.run,
            file: String::new(),
            stage: None,
            done: 0,
            total: self.files.iter().filter(|f| !f.crashed).count() as u32,
        });
        vec![Effect::Send(self.check_request())]
    }

    /// The request that checks the files of this run (also sent, with the patterns made since, to the export
    /// module that writes an XLSX workbook).
    fn check_request(&self) -> Request {
        let modes: BTreeMap<String, Mode> = self
            .files
            .iter()
            .filter(|f| !f.crashed)
            .map(|f| (f.name.clone(), f.mode.clone()))
            .collect();
        Request::Check {
            run: self.run,
            files: self
                .files
                .iter()
                .filter(|f| !f.crashed)
                .map(|f| FileIn {
                    name: f.name.clone(),
                    bytes: f.bytes.clone(),
                    sha256: f.sha256.clone(),
                    hashing: f.hashing && f.sha256.is_none(),
                })
                .collect(),
            modes,
            policy: Box::new(PolicyIn {
                policy: self.policy.clone(),
                file: self.policy_file.clone(),
            }),
            first: Some(View {
                table: self.selected,
                filter: self.filter,
                limit: WINDOW,
            }),
            set_aside: self
                .files
                .iter()
                .filter(|f| f.crashed)
                .map(|f| cellguard_engine::FailedInput {
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes.len() as u64,
                    // The report's words are English, as the readers' errors are.
                    error: crashed_error(&f.name, Lang::En),
                })
                .collect(),
        }
    }

    /// Drops a rule filter the shown table has no finding of (its menu would not offer it).
    fn fit_filter(&mut self) {
        let keep = match (self.filter.rule, self.table()) {
            (Some(r), Some(t)) => t.counts.by_rule.contains_key(r.as_str()),
            _ => true,
        };
        if !keep {
            self.filter.rule = None;
        }
    }

    fn fetch(&self, offset: u32) -> Effect {
        Effect::Send(Request::Rows {
            run: self.run,
            table: self.selected,
            filter: self.filter,
            offset,
            limit: WINDOW,
        })
    }

    /// A new policy (and the file it came from, if any) rechecks everything; one that cannot be read is a notice
    /// and the policy in force stays.
    fn set_policy(&mut self, policy: Result<Policy, String>, file: Option<FileIn>) -> Vec<Effect> {
        match policy {
            Ok(p) => {
                self.policy = p;
                self.policy_file = file;
                self.policy_draft = None;
                self.notices.clear();
                self.check()
            }
            Err(e) => {
                self.notices = vec![e];
                Vec::new()
            }
        }
    }

    /// Applies an action; returns the effects to run.
    pub fn reduce(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::SetLang(l) => {
                self.lang = l;
                vec![Effect::SaveLang(l)]
            }
            Action::AddFiles(files) => {
                for f in files {
                    let loaded = LoadedFile {
                        name: f.name,
                        bytes: f.bytes,
                        sha256: f.sha256,
                        hashing: f.hashing,
                        mode: Mode::default(),
                        crashed: false,
                    };
                    // A file dropped again under the same name replaces the old one.
                    match self.files.iter_mut().find(|x| x.name == loaded.name) {
                        Some(slot) => *slot = loaded,
                        None => self.files.push(loaded),
                    }
                }
                self.check()
            }
            Action::RemoveFile(name) => {
                self.files.retain(|f| f.name != name);
                self.selected = 0;
                self.check()
            }
            Action::ClearFiles => {
                self.files.clear();
                self.selected = 0;
                self.check()
            }
            Action::SetMode(name, mode) => {
                if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
                    f.mode = mode;
                    f.crashed = false;
                }
                self.check()
            }
            Action::Preset(name) => {
                let p = Policy::preset(&name).map_err(|e| e.in_lang(self.lang));
                self.set_policy(p, None)
            }
            Action::PolicyFile(file) => {
                let p = file
                    .bytes
                    .to_vec()
                    .map_err(|e| format!("{}: {e}", file.name))
                    .and_then(|bytes| {
                        let named = cellguard_io::NamedBytes {
                            name: file.name.clone(),
                            bytes,
                        };
                        cellguard_io::policy_from_toml(&named)
                            .map_err(|e| policy_error(&e, self.lang))
                    });
                self.set_policy(p, Some(file))
            }
            Action::EditPolicy(text) => match Policy::from_toml(&text) {
                Ok(p) if p == self.policy => {
                    self.policy_draft = None;
                    Vec::new()
                }
                Ok(p) => self.set_policy(Ok(p), None),
                Err(e) => {
                    self.policy_draft = Some((text, e.in_lang(self.lang)));
                    Vec::new()
                }
            },
            Action::Cancel => {
                if self.busy.take().is_some() {
                    // Answers of the cancelled run are ignored from now on; the old results no longer match the
                    // files, so they go too.
                    self.run += 1;
                    self.cancelled = true;
                    self.outcome = None;
                    self.page = None;
                    self.explanation = None;
                    vec![Effect::Restart]
                } else {
                    Vec::new()
                }
            }
            Action::Select(t) => {
                self.selected = t;
                self.page = None;
                self.explanation = None;
                self.jump = None;
                self.fit_filter();
                vec![self.fetch(0)]
            }
            Action::SetFilter(f) => {
                self.filter = f;
                self.page = None;
                self.jump = None;
                vec![self.fetch(0)]
            }
            Action::Locate { x, y } => vec![Effect::Send(Request::Locate {
                run: self.run,
                table: self.selected,
                filter: self.filter,
                x,
                y,
            })],
            Action::Scrolled(row) => {
                let offset = row.saturating_sub(WINDOW / 4);
                let have = self.page.as_ref().is_some_and(|p| {
                    p.offset <= row.saturating_sub(0)
                        && row + WINDOW / 2 <= p.offset + p.rows.len() as u32
                });
                let at_end = self
                    .page
                    .as_ref()
                    .is_some_and(|p| p.offset + p.rows.len() as u32 >= p.total && p.offset <= row);
                if have || at_end {
                    Vec::new()
                } else {
                    vec![self.fetch(offset)]
                }
            }
            Action::ShowCell(cell) => vec![Effect::Send(Request::Explain {
                run: self.run,
                table: self.selected,
                cell,
            })],
            Action::CloseExplanation => {
                self.explanation = None;
                Vec::new()
            }
            // A workbook is written by the export module: it checks the run's files again, takes the patterns
            // made since, and writes the tables.
            Action::Export(ExportKind::Xlsx) => {
                let mut job = vec![self.check_request()];
                job.extend(
                    self.protect
                        .kept
                        .iter()
                        .map(|(table, roles)| Request::Pattern {
                            run: self.run,
                            table: *table,
                            roles: roles.clone(),
                        }),
                );
                job.push(Request::Export {
                    run: self.run,
                    kind: ExportKind::Xlsx,
                });
                vec![Effect::Export(job)]
            }
            Action::Export(kind) => vec![Effect::Send(Request::Export {
                run: self.run,
                kind,
            })],
            Action::Notice(n) => {
                self.notices = vec![n];
                Vec::new()
            }
            Action::Digested {
                name,
                bytes,
                sha256,
            } => {
                // The file may have been removed or dropped again under its name since: only its own bytes
                // take the hash.
                let Some(f) = self
                    .files
                    .iter_mut()
                    .find(|f| f.name == name && f.bytes == bytes)
                else {
                    return Vec::new();
                };
                f.hashing = false;
                f.sha256 = sha256.clone().filter(|h| cellguard_io::is_sha256_hex(h));
                vec![Effect::Send(Request::Digest {
                    run: self.run,
                    file: name,
                    sha256,
                })]
            }
            Action::Worker(r) => self.answer(r),
            Action::WorkerCrashed => self.crashed(),
            Action::SetProtectOptions(method, cost) => {
                self.protect.method = method;
                self.protect.cost = cost;
                Vec::new()
            }
            Action::SetProtectTimeLimit(seconds) => {
                self.protect.time_limit = seconds.filter(|s| s.is_finite() && *s > 0.0);
                Vec::new()
            }
            Action::SetProtectLinked(linked) => {
                self.protect.linked = linked;
                Vec::new()
            }
            Action::ProtectProgress { job, done, total } => {
                if self.protect.running.is_some_and(|(j, ..)| j == job) {
                    self.protect.progress = Some((done, total));
                }
                Vec::new()
            }
            Action::Protect(method, cost) => {
                self.protect.method = method;
                self.protect.cost = cost;
                self.protect_shown()
            }
            Action::StopProtecting => {
                self.protect.running = None;
                self.protect.progress = None;
                vec![Effect::StopProtect]
            }
            Action::Protected(out) => {
                let mut effects = Vec::new();
                if let Some((job, run, table)) = self.protect.running {
                    if job == out.job {
                        self.protect.running = None;
                        self.protect.progress = None;
                        // A pattern that passed its audit goes to the checking worker: the table's exports carry
                        // it (one that failed is not published as a protection; the panel saves it as it is).
                        if let (Ok(p), true) = (&out.result, run == self.run) {
                            if p.passed {
                                // Linked tables: every table's pattern (the shown one's among them).
                                let patterns = if p.linked.is_empty() {
                                    vec![(table, p.roles.clone())]
                                } else {
                                    p.linked.clone()
                                };
                                for (table, roles) in patterns {
                                    self.protect.kept.insert(table, roles.clone());
                                    effects.push(Effect::Send(Request::Pattern {
                                        run,
                                        table,
                                        roles,
                                    }));
                                }
                            }
                        }
                        self.protect.done = Some((run, table, out.result));
                    }
                }
                effects
            }
            Action::ProtectCrashed(why) => {
                self.protect.progress = None;
                if let Some((_, run, table)) = self.protect.running.take() {
                    let crashed = Said::each(|lang| {
                        format!("{} ({why})", crate::i18n::t(lang, "protect_crashed"))
                    });
                    self.protect.done = Some((run, table, Err(crashed)));
                }
                vec![Effect::StopProtect]
            }
        }
    }

    /// The table shown as the protect module takes it: its file (as loaded), column roles, the policy in force and
    /// the policy file it came from; why not, for a table that is not a table file of this run.
    pub fn protectable(&self) -> Result<(FileIn, RolesIn), &'static str> {
        let outcome = self.outcome.as_ref().ok_or("protect_none")?;
        let shown = (outcome.files.iter())
            .find(|f| f.table == Some(self.selected))
            .ok_or("protect_none")?;
        let file = (self.files.iter())
            .find(|f| f.name == shown.name)
            .ok_or("protect_none")?;
        match &file.mode {
            // A saved report shows verdicts without the table's values: it has no column roles.
            Mode::Table(_) if shown.roles.is_none() => Err("protect_saved"),
            Mode::Table(roles) => Ok((
                FileIn {
                    name: file.name.clone(),
                    bytes: file.bytes.clone(),
                    sha256: file.sha256.clone(),
                    hashing: false,
                },
                roles.clone(),
            )),
            Mode::Microdata(_) => Err("protect_microdata"),
        }
    }

    /// The run's tables that can be protected as linked tables, in the run's order: each table file with its
    /// column roles (a saved report or microdata is not one).
    pub fn linkable(&self) -> Vec<crate::protect::LinkedIn> {
        let Some(outcome) = self.outcome.as_ref() else {
            return Vec::new();
        };
        (outcome.files.iter())
            .filter(|f| f.roles.is_some())
            .filter_map(|shown| {
                let table = shown.table?;
                let file = self.files.iter().find(|f| f.name == shown.name)?;
                let Mode::Table(roles) = &file.mode else {
                    return None;
                };
                Some(crate::protect::LinkedIn {
                    table,
                    file: FileIn {
                        name: file.name.clone(),
                        bytes: file.bytes.clone(),
                        sha256: file.sha256.clone(),
                        hashing: false,
                    },
                    roles: roles.clone(),
                })
            })
            .collect()
    }

    /// Protects the table shown (a request replaces one in flight), with the run's other tables as linked tables
    /// when asked and there are any.
    fn protect_shown(&mut self) -> Vec<Effect> {
        let Ok((file, roles)) = self.protectable() else {
            return Vec::new();
        };
        let fast = self.protect.method == cellguard_engine::suppress::Method::Fast;
        let linked = if self.protect.linked && fast {
            Some(self.linkable())
                .filter(|l| l.len() >= 2)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        self.protect.job += 1;
        let mut effects = Vec::new();
        if self.protect.running.is_some() {
            effects.push(Effect::StopProtect);
        }
        self.protect.running = Some((self.protect.job, self.run, self.selected));
        self.protect.progress = None;
        self.protect.done = None;
        effects.push(Effect::Protect(Box::new(crate::protect::ProtectIn {
            job: self.protect.job,
            file,
            roles,
            policy: self.policy.clone(),
            policy_file: self.policy_file.clone(),
            method: self.protect.method,
            cost: self.protect.cost,
            time_limit: self.protect.time_limit,
            linked,
        })));
        effects
    }

    /// A crashed worker is replaced. The file it was reading when it crashed is set aside — its outcome says
    /// the reader crashed — and the others are checked again by the new worker (the old one's results went
    /// with it). A crash before any file was named retries the run once; a second sets aside all its files.
    fn crashed(&mut self) -> Vec<Effect> {
        let reading = self.busy.as_ref().map(|b| b.file.clone());
        match reading.as_deref() {
            Some("") if self.retry == Some(self.run) => {
                for f in &mut self.files {
                    f.crashed = true;
                }
            }
            // `check` below starts the next run: that one is the retry.
            Some("") => self.retry = Some(self.run + 1),
            Some(name) => {
                for f in self.files.iter_mut().filter(|f| f.name == name) {
                    f.crashed = true;
                }
            }
            // Idle: the crash was in a view or an export; the files are checked again.
            None => {}
        }
        let mut effects = vec![Effect::Restart];
        effects.extend(self.check());
        effects
    }

    /// The outcomes of the files set aside after a crash, in their places among the others.
    fn add_crashed(&self, out: &mut Outcome) {
        for (i, f) in self.files.iter().enumerate().filter(|(_, f)| f.crashed) {
            let crashed = Said::each(|lang| crashed_error(&f.name, lang));
            let outcome = FileOutcome::new(&f.name, f.bytes.len() as u64).failed(crashed);
            out.files.insert(i.min(out.files.len()), outcome);
        }
    }

    fn answer(&mut self, r: Response) -> Vec<Effect> {
        match r {
            Response::Progress {
                run,
                file,
                stage,
                done,
                total,
            } if run == self.run => {
                self.busy = Some(Busy {
                    run,
                    file,
                    stage: Some(stage),
                    done,
                    total,
                });
                Vec::new()
            }
            Response::Checked(mut out) if out.run == self.run => {
                self.busy = None;
                self.add_crashed(&mut out);
                let has_tables = !out.tables.is_empty();
                if self.selected as usize >= out.tables.len() {
                    self.selected = 0;
                }
                let first = out.first.take();
                self.outcome = Some(out);
                self.fit_filter();
                // The first rows came with the outcome unless the table or the filter changed on the way.
                match first {
                    Some(p)
                        if p.run == self.run
                            && p.table == self.selected
                            && p.filter == self.filter
                            && p.offset == 0 =>
                    {
                        self.page = Some(p);
                        Vec::new()
                    }
                    _ if has_tables => vec![self.fetch(0)],
                    _ => Vec::new(),
                }
            }
            Response::Rows(p)
                if p.run == self.run && p.table == self.selected && p.filter == self.filter =>
            {
                self.page = Some(p);
                Vec::new()
            }
            Response::Located(l)
                if l.run == self.run && l.table == self.selected && l.filter == self.filter =>
            {
                match l.found {
                    Some((position, cell)) => {
                        self.jump = Some((position, cell));
                        let none_there = crate::i18n::t(self.lang, "map_no_match");
                        self.notices.retain(|n| n != none_there);
                        let have = self.page.as_ref().is_some_and(|p| {
                            p.offset <= position && position < p.offset + p.rows.len() as u32
                        });
                        if have {
                            Vec::new()
                        } else {
                            vec![self.fetch(position.saturating_sub(WINDOW / 4))]
                        }
                    }
                    None => {
                        self.notices = vec![crate::i18n::t(self.lang, "map_no_match").to_owned()];
                        Vec::new()
                    }
                }
            }
            Response::Explained(e) if e.run == self.run => {
                self.explanation = Some(e);
                Vec::new()
            }
            Response::Exported(x) if x.run == self.run => vec![Effect::Download(x)],
            Response::Hashed {
                run,
                file,
                sha256: Some(h),
            } if run == self.run => {
                if let Some(f) = self
                    .outcome
                    .as_mut()
                    .and_then(|o| o.files.iter_mut().find(|f| f.name == file))
                {
                    f.sha256 = h;
                }
                Vec::new()
            }
            Response::Failed { run, message } if run == self.run => {
                self.notices = vec![message];
                Vec::new()
            }
            // Answers of an older or cancelled run.
            _ => Vec::new(),
        }
    }

    /// The outcome's table currently shown.
    pub fn table(&self) -> Option<&TableView> {
        self.outcome.as_ref()?.tables.get(self.selected as usize)
    }
}

/// A policy file's error in `lang`. Only the engine's words are used here: the page's own code then carries the
/// engine's phrases, not the whole table of the readers' (the worker has those); a file that is not text says so
/// in English.
fn policy_error(e: &cellguard_io::Error, lang: Lang) -> String {
    match e {
        cellguard_io::Error::Engine { file, error } => {
            let colon = if lang == Lang::Fr { " : " } else { ": " };
            format!("{file}{colon}{}", error.in_lang(lang))
        }
        other => other.to_string(),
    }
}

/// What a file the reader crashed on says, in `lang`.
fn crashed_error(name: &str, lang: Lang) -> String {
    format!("{name}: {}", crate::i18n::t(lang, "reader_crashed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    const TABLE: &str = "sex;region;mean;n;value;top1;top2\nM;A;10,5;12;126;30;20\nF;A;9;2;18;10;8\nTotal;A;9,9;14;144;30;20\n";

    fn file(name: &str, text: &str) -> FileIn {
        FileIn::new(name, text.as_bytes().to_vec())
    }

    /// Runs the effects against a real session, feeding answers back, as the page does.
    fn drive(state: &mut State, session: &mut Session, action: Action) -> Vec<Exported> {
        let mut queue = state.reduce(action);
        let mut downloads = Vec::new();
        while let Some(e) = queue.pop() {
            match e {
                Effect::Send(req) => {
                    let mut answers = Vec::new();
                    let last = session.handle(req, &|| 0.0, &mut |r| answers.push(r));
                    answers.push(last);
                    for a in answers {
                        queue.extend(state.reduce(Action::Worker(a)));
                    }
                }
                Effect::Protect(req) => {
                    let out = crate::protect::ProtectOut {
                        job: req.job,
                        result: crate::protect::protect(&req),
                    };
                    queue.extend(state.reduce(Action::Protected(out)));
                }
                Effect::Export(job) => {
                    let mut exporter = Session::with_xlsx();
                    for req in job {
                        let answer = exporter.handle(req, &|| 0.0, &mut |_| {});
                        if matches!(answer, Response::Exported(_) | Response::Failed { .. }) {
                            queue.extend(state.reduce(Action::Worker(answer)));
                        }
                    }
                }
                Effect::Download(x) => downloads.push(x),
                Effect::Restart | Effect::SaveLang(_) | Effect::StopProtect => {}
            }
        }
        downloads
    }

    /// With "linked tables" ticked, the table shown is protected with the run's other table as the command line's
    /// `protect --linked` does: one protection file of both, naming each other; a shared cell (a region's total)
    /// suppressed in both; both tables' exports carry their patterns. Unticked, or with `optimal`, the table alone.
    #[test]
    fn linked_tables_are_protected_together_in_the_page() {
        use cellguard_engine::suppress::{Cost, Method};
        let (mut st, mut se) = (State::default(), Session::default());
        let by_sex = "region,sex,n\nR1,F,15\nR1,M,21\nR1,X,10\nR1,Total,46\nR2,F,40\nR2,M,32\nR2,X,23\nR2,Total,95\n\
R3,F,3\nR3,M,2\nR3,X,3\nR3,Total,8\nR4,F,17\nR4,M,31\nR4,X,41\nR4,Total,89\nTotal,F,75\nTotal,M,86\nTotal,X,77\nTotal,Total,238\n";
        let by_age = "region,age,n\nR1,young,20\nR1,old,26\nR1,Total,46\nR2,young,35\nR2,old,60\nR2,Total,95\n\
R3,young,3\nR3,old,5\nR3,Total,8\nR4,young,44\nR4,old,45\nR4,Total,89\nTotal,young,102\nTotal,old,136\nTotal,Total,238\n";
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("by_sex.csv", by_sex), file("by_age.csv", by_age)]),
        );
        assert_eq!(st.linkable().len(), 2);
        // Unticked: the table alone.
        let effects = st.reduce(Action::Protect(Method::Fast, Cost::Value));
        let [Effect::Protect(req)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(req.linked.is_empty());
        st.reduce(Action::StopProtecting);
        st.reduce(Action::SetProtectLinked(true));
        let effects = st.reduce(Action::Protect(Method::Optimal, Cost::Value));
        let [Effect::Protect(req)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(req.linked.is_empty(), "optimal takes no linked tables");
        st.reduce(Action::StopProtecting);
        drive(&mut st, &mut se, Action::Protect(Method::Fast, Cost::Value));
        let Some((_, 0, Ok(p))) = &st.protect.done else {
            panic!("{:?}", st.protect)
        };
        assert!(p.passed);
        let file: serde_json::Value =
            serde_json::from_slice(&p.protection.to_vec().unwrap()).unwrap();
        assert_eq!(file["tables"].as_array().unwrap().len(), 2);
        assert_eq!(
            file["tables"][0]["linked_with"],
            serde_json::json!(["by_age.csv"])
        );
        assert_eq!(
            file["tables"][1]["linked_with"],
            serde_json::json!(["by_sex.csv"])
        );
        // Both tables' patterns are kept, and agree on R3's total (row 12 of one, row 10 of the other).
        assert_eq!(st.protect.kept.len(), 2);
        let (a, b) = (&st.protect.kept[&0], &st.protect.kept[&1]);
        assert!(a[11] != 0 && b[8] != 0);
        for r in 0..5 {
            assert_eq!(a[r * 4 + 3] != 0, b[r * 3 + 2] != 0, "region {r}");
        }
        let csv = drive(&mut st, &mut se, Action::Export(ExportKind::Csv(1)));
        let csv = String::from_utf8(csv[0].bytes.to_vec().unwrap()).unwrap();
        assert!(csv.contains("R3,Total,x,unsafe"), "{csv}");
    }

    /// The table shown is protected by the protect module (here called directly) as the command line does; an
    /// answer to an older request is not shown; a crash says so; with no table shown nothing is asked.
    #[test]
    fn the_table_shown_is_protected_and_the_answer_kept_with_its_table() {
        use cellguard_engine::suppress::{Cost, Method};
        let (mut st, mut se) = (State::default(), Session::default());
        let counts = include_str!("../../tests/golden/protect_counts.csv");
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("counts.csv", counts)]),
        );
        drive(&mut st, &mut se, Action::Protect(Method::Fast, Cost::Value));
        let Some((run, 0, Ok(p))) = &st.protect.done else {
            panic!("{:?}", st.protect)
        };
        assert_eq!(*run, st.run);
        assert!(p.passed && p.summary.en.contains(" secondary suppressions of "));
        // The table's exports carry the pattern: its CSV is the protect module's protected table.
        let protected_table = p.table.to_vec().unwrap();
        let csv = drive(&mut st, &mut se, Action::Export(ExportKind::Csv(0)));
        assert_eq!(csv[0].bytes.to_vec().unwrap(), protected_table);
        // The workbook, from the export module, too.
        let xlsx = drive(&mut st, &mut se, Action::Export(ExportKind::Xlsx));
        let xlsx = xlsx[0].bytes.to_vec().unwrap();
        let sheet = cellguard_io::read_frame("x.xlsx", &xlsx).unwrap();
        let status = sheet.column("cellguard_status").unwrap();
        assert!((0..sheet.rows()).any(|i| status.text(i) == "secondary"));
        let html = drive(&mut st, &mut se, Action::Export(ExportKind::Html(Lang::En)));
        let html = String::from_utf8(html[0].bytes.to_vec().unwrap()).unwrap();
        assert!(
            html.contains("secondary suppression)")
                && html.contains("x marks the suppressed cells")
        );
        assert_eq!(st.protect.running, None);
        // An answer to an older request, or one that comes after a stop, is not shown.
        let effects = st.reduce(Action::Protect(Method::Optimal, Cost::Unity));
        let [Effect::Protect(req)] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!((req.method, req.cost), (Method::Optimal, Cost::Unity));
        let stale = crate::protect::ProtectOut {
            job: req.job - 1,
            result: Err(Said::english("old".into())),
        };
        st.reduce(Action::Protected(stale));
        assert!(st.protect.running.is_some() && st.protect.done.is_none());
        // Progress of this request is shown, of an older one not.
        let (job, other) = (req.job, req.job - 1);
        st.reduce(Action::ProtectProgress {
            job: other,
            done: 9,
            total: 10,
        });
        assert_eq!(st.protect.progress, None);
        st.reduce(Action::ProtectProgress {
            job,
            done: 3,
            total: 10,
        });
        assert_eq!(st.protect.progress, Some((3, 10)));
        assert_eq!(st.reduce(Action::StopProtecting), vec![Effect::StopProtect]);
        assert_eq!(st.protect.progress, None);
        let late = crate::protect::ProtectOut {
            job: req.job,
            result: Err(Said::english("late".into())),
        };
        st.reduce(Action::Protected(late));
        assert!(st.protect.done.is_none());
        // A crash of the module is said, in each language.
        st.reduce(Action::Protect(Method::Fast, Cost::Value));
        assert_eq!(
            st.reduce(Action::ProtectCrashed("out of memory".into())),
            vec![Effect::StopProtect]
        );
        let Some((_, _, Err(why))) = &st.protect.done else {
            panic!("{:?}", st.protect)
        };
        assert!(why.en.contains("out of memory") && why.other.len() == 2);
        // With nothing checked there is no table to protect, and no request is made.
        let mut empty = State::default();
        assert_eq!(empty.protectable().unwrap_err(), "protect_none");
        assert!(
            empty
                .reduce(Action::Protect(Method::Fast, Cost::Value))
                .is_empty()
        );
    }

    /// A click on the status map sets where the table goes and fetches the rows there; a click on a place the
    /// filter shows nothing of says so; a new filter forgets the jump.
    #[test]
    fn a_click_on_the_map_jumps_to_its_cell() {
        let (mut st, mut se) = (State::default(), Session::default());
        let mut csv = String::from("region,sex,n\n");
        for i in 0..600 {
            csv.push_str(&format!("r{i:03},F,{}\n", if i == 500 { 3 } else { 40 }));
        }
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("tall.csv", &csv)]),
        );
        // Region 500 is in block 166 (blocks of 3).
        drive(&mut st, &mut se, Action::Locate { x: 0, y: 166 });
        assert_eq!(st.jump, Some((500, 500)));
        let page = st.page.as_ref().unwrap();
        assert!(page.offset <= 500 && 500 < page.offset + page.rows.len() as u32);
        let only_not_safe = Filter {
            not_safe: true,
            rule: None,
        };
        drive(&mut st, &mut se, Action::SetFilter(only_not_safe));
        assert_eq!(st.jump, None);
        drive(&mut st, &mut se, Action::Locate { x: 0, y: 0 });
        assert_eq!(st.jump, None);
        assert_eq!(st.notices, [crate::i18n::t(Lang::En, "map_no_match")]);
        drive(&mut st, &mut se, Action::Locate { x: 0, y: 166 });
        assert_eq!(st.jump, Some((0, 500)));
        assert!(st.notices.is_empty());
    }

    /// The first rows come back with the check's outcome: no second request before the table shows. When the
    /// filter changed while the worker checked, the rows it sent are not shown and the right ones are asked for.
    #[test]
    fn the_first_rows_come_with_the_outcome() {
        let (mut st, mut se) = (State::default(), Session::default());
        let effects = st.reduce(Action::AddFiles(vec![file("t.csv", TABLE)]));
        let [Effect::Send(req)] = &effects[..] else {
            panic!("{effects:?}")
        };
        let answer = se.handle(req.clone(), &|| 0.0, &mut |_| {});
        let Response::Checked(out) = &answer else {
            panic!("{answer:?}")
        };
        assert_eq!(out.first.as_ref().map(|p| p.rows.len()), Some(3));
        assert_eq!(st.reduce(Action::Worker(answer.clone())), Vec::new());
        assert_eq!(st.page.as_ref().unwrap().rows.len(), 3);
        // The same answer, after the filter changed under it.
        let mut st = State::default();
        st.reduce(Action::AddFiles(vec![file("t.csv", TABLE)]));
        st.filter.not_safe = true;
        let effects = st.reduce(Action::Worker(answer));
        assert!(
            matches!(&effects[..], [Effect::Send(Request::Rows { filter, offset: 0, .. })] if filter.not_safe),
            "{effects:?}"
        );
        assert!(st.page.is_none());
    }

    /// A worker that crashes while reading a file is replaced: that file's outcome says the reader crashed,
    /// the others are checked by the new worker, in their places. A crash while idle checks everything again;
    /// one before any file was named retries once, then sets the run's files aside. Dropping the file again
    /// (or changing its mode) reads it again.
    #[test]
    fn a_crashed_worker_is_replaced_and_the_other_files_stay_checked() {
        let (mut st, mut se) = (State::default(), Session::default());
        let files = ["a.csv", "crash.csv", "b.csv"].map(|n| file(n, TABLE));
        let effects = st.reduce(Action::AddFiles(files.to_vec()));
        assert!(
            matches!(&effects[..], [Effect::Send(Request::Check { files, .. })] if files.len() == 3)
        );
        st.reduce(Action::Worker(Response::Progress {
            run: st.run,
            file: "crash.csv".into(),
            stage: Stage::Reading,
            done: 1,
            total: 3,
        }));
        let effects = st.reduce(Action::WorkerCrashed);
        let [
            Effect::Restart,
            Effect::Send(req @ Request::Check { files, .. }),
        ] = &effects[..]
        else {
            panic!("{effects:?}")
        };
        let sent: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(sent, ["a.csv", "b.csv"]);
        let answer = se.handle(req.clone(), &|| 0.0, &mut |_| {});
        st.reduce(Action::Worker(answer));
        let out = st.outcome.as_ref().unwrap();
        let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.csv", "crash.csv", "b.csv"]);
        assert_eq!(out.tables.len(), 2);
        assert_eq!(
            out.files[1].error.as_deref(),
            Some(
                "crash.csv: this file could not be read (the reader crashed). This is a bug in cellguard or a \
                 library it uses; the other files are checked. Please report it with the file."
            )
        );
        assert!(out.files[0].error.is_none() && out.files[2].table == Some(1));
        assert!(st.busy.is_none());
        // The report lists the file set aside as not checked, with why.
        let said = out.files[1].error.clone().unwrap();
        let got = drive(&mut st, &mut se, Action::Export(ExportKind::ReportJson));
        let report = cellguard_io::read_report("r.json", &got[0].bytes.to_vec().unwrap()).unwrap();
        let failed: Vec<(&str, &str)> = report
            .failed
            .iter()
            .map(|f| (f.name.as_str(), f.error.as_str()))
            .collect();
        assert_eq!(failed, [("crash.csv", said.as_str())]);
        assert_eq!(report.failed[0].bytes, TABLE.len() as u64);
        // Idle: everything not set aside is checked again.
        let effects = st.reduce(Action::WorkerCrashed);
        assert!(
            matches!(&effects[..], [Effect::Restart, Effect::Send(Request::Check { files, .. })] if files.len() == 2),
            "{effects:?}"
        );
        // Before any file is named: once more, then every file of the run is set aside.
        let effects = st.reduce(Action::WorkerCrashed);
        assert!(
            matches!(&effects[..], [Effect::Restart, Effect::Send(_)]),
            "{effects:?}"
        );
        assert_eq!(st.reduce(Action::WorkerCrashed), vec![Effect::Restart]);
        let out = st.outcome.as_ref().unwrap();
        assert!(out.files.iter().all(|f| f.error.is_some()) && out.tables.is_empty());
        // Dropped again: read again.
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("crash.csv", TABLE)]),
        );
        let out = st.outcome.as_ref().unwrap();
        assert_eq!(out.files.iter().filter(|f| f.error.is_none()).count(), 1);
        assert_eq!(out.files[1].name, "crash.csv");
        assert!(out.files[1].error.is_none());
    }

    #[test]
    fn dropping_a_file_checks_it_and_fetches_the_first_rows() {
        let (mut st, mut se) = (State::default(), Session::default());
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("t.csv", TABLE)]),
        );
        assert!(st.busy.is_none());
        assert_eq!(st.table().unwrap().counts.unsafe_, 1);
        assert_eq!(st.page.as_ref().unwrap().rows.len(), 3);
        drive(
            &mut st,
            &mut se,
            Action::SetFilter(Filter {
                not_safe: true,
                rule: None,
            }),
        );
        assert_eq!(st.page.as_ref().unwrap().total, 1);
        let cell = st.page.as_ref().unwrap().rows[0].cell;
        drive(&mut st, &mut se, Action::ShowCell(cell));
        assert_eq!(
            st.explanation.as_ref().unwrap().coords[0],
            ("sex".into(), "F".into())
        );
    }

    /// The page's hash of `t.csv`'s `bytes` (`None`: it could not hash them).
    fn digested(bytes: Bytes, sha256: Option<String>) -> Action {
        Action::Digested {
            name: "t.csv".into(),
            bytes,
            sha256,
        }
    }

    /// A file dropped while the page hashes it: sent and checked at once, without a hash; its bytes.
    fn checked_while_hashing() -> (State, Session, Bytes) {
        let (mut st, mut se) = (State::default(), Session::default());
        let mut f = file("t.csv", TABLE);
        f.hashing = true;
        let bytes = f.bytes.clone();
        let effects = st.reduce(Action::AddFiles(vec![f]));
        let [Effect::Send(req @ Request::Check { files, .. })] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert!(files[0].hashing && files[0].sha256.is_none());
        let out = se.handle(req.clone(), &|| 0.0, &mut |_| {});
        st.reduce(Action::Worker(out));
        assert_eq!(
            st.outcome.as_ref().unwrap().files[0].sha256,
            "",
            "waiting for the page"
        );
        (st, se, bytes)
    }

    /// A file the page hashes itself: checked at once without a hash, the hash follows and lands in the report
    /// (the exported report is the CLI's, byte for byte), and re-checks carry it.
    #[test]
    fn the_page_hash_follows_the_check_into_the_report() {
        let (mut st, mut se, bytes) = checked_while_hashing();
        let sha = cellguard_io::sha256_hex(TABLE.as_bytes());
        // A hash for other bytes under the same name (the file was dropped again) is not taken.
        let other = Bytes::from(b"x".to_vec());
        assert!(st.reduce(digested(other, Some("0".repeat(64)))).is_empty());
        drive(&mut st, &mut se, digested(bytes, Some(sha.clone())));
        assert_eq!(st.outcome.as_ref().unwrap().files[0].sha256, sha);
        assert_eq!(st.files[0].sha256.as_deref(), Some(sha.as_str()));
        let got = drive(&mut st, &mut se, Action::Export(ExportKind::ReportJson));
        let cli = cellguard_io::check_file(
            "t.csv",
            TABLE.as_bytes(),
            &cellguard_io::TableRoles::default(),
            &st.policy,
        )
        .unwrap();
        let cli =
            cellguard_io::assemble_report(&st.policy, None, vec![(cli.input, cli.report)], &[]);
        assert_eq!(got[0].bytes.to_vec().unwrap(), cli.to_json());
        let effects = st.reduce(Action::Preset("acro".into()));
        let [Effect::Send(Request::Check { files, .. })] = &effects[..] else {
            panic!("{effects:?}")
        };
        assert_eq!(files[0].sha256.as_deref(), Some(sha.as_str()));
        assert!(!files[0].hashing);
    }

    /// When the page cannot hash (no WebCrypto) or an export comes first, the worker hashes: the report never
    /// leaves with an empty hash.
    #[test]
    fn the_worker_hashes_what_the_page_could_not() {
        let sha = cellguard_io::sha256_hex(TABLE.as_bytes());
        for page_fails in [true, false] {
            let (mut st, mut se, bytes) = checked_while_hashing();
            if page_fails {
                drive(&mut st, &mut se, digested(bytes, None));
                assert_eq!(st.outcome.as_ref().unwrap().files[0].sha256, sha);
                assert!(st.files[0].sha256.is_none() && !st.files[0].hashing);
            }
            let got = drive(&mut st, &mut se, Action::Export(ExportKind::ReportJson));
            let json = String::from_utf8(got[0].bytes.to_vec().unwrap()).unwrap();
            assert!(json.contains(&sha), "{json}");
            assert!(!json.contains("\"sha256\": \"\""), "{json}");
        }
    }

    #[test]
    fn a_new_policy_rechecks_and_stale_answers_are_ignored() {
        let (mut st, mut se) = (State::default(), Session::default());
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("t.csv", TABLE)]),
        );
        let old_run = st.run;
        let effects = st.reduce(Action::Preset("sdctable".into()));
        assert!(matches!(
            &effects[..],
            [Effect::Send(Request::Check { .. })]
        ));
        // An answer of the old run arrives late: ignored.
        let stale = st.reduce(Action::Worker(Response::Failed {
            run: old_run,
            message: "old".into(),
        }));
        assert!(stale.is_empty() && st.notices.is_empty());
        assert!(st.busy.is_some());
        assert_eq!(st.reduce(Action::Cancel), vec![Effect::Restart]);
        assert!(st.busy.is_none() && st.cancelled && st.outcome.is_none());
        // The cancelled run's answer is dropped; the next change checks again.
        assert!(
            st.reduce(Action::Worker(Response::Failed {
                run: old_run + 1,
                message: "late".into()
            }))
            .is_empty()
        );
        assert!(matches!(
            &st.reduce(Action::Preset("essnet".into()))[..],
            [Effect::Send(Request::Check { .. })]
        ));
        assert!(!st.cancelled);
    }

    #[test]
    fn a_bad_policy_file_is_a_notice_and_keeps_the_policy() {
        let mut st = State::default();
        let effects = st.reduce(Action::PolicyFile(file(
            "p.toml",
            "name = \"x\"\nthreshold = { min_units = 0 }\n",
        )));
        assert!(effects.is_empty());
        assert!(
            st.notices[0].contains("threshold.min_units"),
            "{:?}",
            st.notices
        );
        assert_eq!(st.policy.name, "essnet");
    }

    #[test]
    fn a_policy_file_is_recorded_until_edited() {
        let (mut st, mut se) = (State::default(), Session::default());
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("t.csv", TABLE)]),
        );
        let toml = "name = \"ksz\"\nthreshold = { min_units = 5 }\n";
        drive(&mut st, &mut se, Action::PolicyFile(file("ksz.toml", toml)));
        assert!(st.outcome.as_ref().unwrap().policy_sha256.is_some());
        let edited = toml.replace('5', "3");
        drive(&mut st, &mut se, Action::EditPolicy(edited));
        assert_eq!(st.policy.threshold.as_ref().unwrap().min_units, 3);
        assert!(st.outcome.as_ref().unwrap().policy_sha256.is_none());
    }

    /// Invalid policy text stays in the editor with its error; the policy in force is unchanged until valid text
    /// is applied.
    #[test]
    fn invalid_policy_text_is_kept_with_its_error() {
        let (mut st, mut se) = (State::default(), Session::default());
        let before = st.policy.clone();
        let typed = "name = \"mine\"\nthreshold = { min_units = \"ten\" }\n".to_string();
        drive(&mut st, &mut se, Action::EditPolicy(typed.clone()));
        let (kept, error) = st.policy_draft.clone().unwrap();
        assert_eq!(kept, typed);
        assert!(error.contains("min_units"), "{error}");
        assert_eq!(st.policy, before);
        drive(
            &mut st,
            &mut se,
            Action::EditPolicy(typed.replace("\"ten\"", "10")),
        );
        assert_eq!(st.policy_draft, None);
        assert_eq!(st.policy.threshold.as_ref().unwrap().min_units, 10);
    }

    #[test]
    fn a_rule_filter_the_new_table_cannot_match_is_dropped() {
        let (mut st, mut se) = (State::default(), Session::default());
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("t.csv", TABLE)]),
        );
        let dominance = Filter {
            not_safe: true,
            rule: Some(cellguard_engine::RuleCode::Pq),
        };
        drive(&mut st, &mut se, Action::SetFilter(dominance));
        assert_eq!(st.page.as_ref().unwrap().total, 0);
        let threshold = Filter {
            not_safe: true,
            rule: Some(cellguard_engine::RuleCode::Threshold),
        };
        drive(&mut st, &mut se, Action::SetFilter(threshold));
        assert_eq!(st.page.as_ref().unwrap().total, 1);
        drive(&mut st, &mut se, Action::ClearFiles);
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("u.csv", "sex,n\nM,20\nF,30\n")]),
        );
        assert_eq!(
            st.filter,
            Filter {
                not_safe: true,
                rule: None
            },
            "the rule filter went, the other stays"
        );
    }

    #[test]
    fn export_downloads_the_report() {
        let (mut st, mut se) = (State::default(), Session::default());
        drive(
            &mut st,
            &mut se,
            Action::AddFiles(vec![file("t.csv", TABLE)]),
        );
        let d = drive(&mut st, &mut se, Action::Export(ExportKind::ReportJson));
        assert_eq!(d[0].filename, "cellguard-report.json");
    }

    #[test]
    fn progress_fraction_grows_with_stages() {
        let mut b = Busy {
            run: 1,
            file: "a".into(),
            stage: Some(Stage::Reading),
            done: 0,
            total: 2,
        };
        let f1 = b.fraction();
        b.stage = Some(Stage::Summarising);
        let f2 = b.fraction();
        b.done = 1;
        assert!(f1 < f2 && f2 < b.fraction() && b.fraction() <= 1.0);
    }
}

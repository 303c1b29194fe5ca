//! `cellguard protect`: tables → a suppression pattern that an LP audit proves (annotated CSV per table, the
//! check's JSON report and the protection file); `cellguard audit`: a pattern made elsewhere → its audit.
//! Exit 0 when every primary is protected, 1 with the cells that are not, 2 on an error.

use anyhow::{Context, Result};
use cellguard_engine::suppress::file::{ProtectionFile, TableFile};
use cellguard_engine::suppress::{self, Cost, Method, Options, Suppression};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum MethodArg {
    /// A hypercube per primary (the cheapest flow where hypercubes cost too much), then the LP audit, repeated
    /// until every primary is protected.
    Fast,
    /// The least-cost pattern (Fischetti–Salazar cut generation from fast's pattern), with its lower bound.
    Optimal,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum CostArg {
    /// The cell's figure (suppress as little of the total as possible).
    Value,
    /// One per cell (suppress as few cells as possible).
    Unity,
    /// The cell's units.
    Units,
    /// ln(1 + figure).
    Log,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Table files (CSV, XLSX, Arrow IPC, Parquet), one row per cell, with every margin.
    #[arg(required = true)]
    pub tables: Vec<PathBuf>,
    /// A preset (essnet, acro, sdctable) or a TOML policy file (its [suppression] sets the protection levels).
    #[arg(long, default_value = "essnet")]
    pub policy: String,
    #[arg(long, value_enum, default_value = "fast")]
    pub method: MethodArg,
    #[arg(long, value_enum, default_value = "value")]
    pub cost: CostArg,
    /// Seconds `optimal` may spend per table beyond fast's pattern (it stops earlier when its budget of
    /// solver nodes is spent; a result cut short by the clock may differ between machines, and says so).
    #[arg(long, value_name = "S", value_parser = seconds)]
    pub time_limit: Option<std::time::Duration>,
    /// Folder for the protected tables (`<name>.protected.csv`), `report.json` and `protection.json`.
    #[arg(short, long)]
    pub output: PathBuf,
    /// A-priori status column (default: status): safe, unsafe, protected (never suppressed), structural.
    #[arg(long)]
    pub status: Option<String>,
    /// The tables come from one microdata and share dimensions (region × sex and region × age): protect them as
    /// one (their cover table), so that a cell they share is suppressed in all or none, and audit them together
    /// against an attacker who holds them all. `fast` only.
    #[arg(long)]
    pub linked: bool,
    #[command(flatten)]
    pub roles: crate::inputs::RoleArgs,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Table files with every margin and a column saying which cells are suppressed (each audited alone, or
    /// together with `--linked`).
    #[arg(required = true)]
    pub tables: Vec<PathBuf>,
    /// The pattern's column: x, unsafe, secondary, suppressed (τ-ARGUS: u, m) for a suppressed cell; safe,
    /// published (s) or empty for a published one.
    #[arg(long)]
    pub status: String,
    /// A preset or a TOML policy file: its rules say which cells are primary, its [suppression] their levels.
    #[arg(long, default_value = "essnet")]
    pub policy: String,
    /// Write the audit as a protection file (JSON) here.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The tables come from one microdata and share dimensions: audit their patterns together, against an
    /// attacker who holds them all (a cell the tables share is published when any of them publishes it).
    #[arg(long)]
    pub linked: bool,
    #[command(flatten)]
    pub roles: crate::inputs::RoleArgs,
}

/// A progress callback that moves `bar`.
fn ticking(bar: &ProgressBar) -> impl FnMut(usize, usize) + '_ {
    |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

/// A time limit in seconds: a positive number.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let s: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(s.is_finite() && s > 0.0) {
        return Err(format!(
            "`{text}`: the time limit must be a positive number of seconds"
        ));
    }
    std::time::Duration::try_from_secs_f64(s).map_err(|e| format!("`{text}`: {e}"))
}

/// The policy file's `[suppression]` (the defaults for a preset).
fn levels(policy_file: Option<&crate::inputs::Input>) -> Result<Suppression> {
    let Some(f) = policy_file else {
        return Ok(Suppression::default());
    };
    let text = std::str::from_utf8(&f.bytes).with_context(|| format!("{} is not UTF-8", f.name))?;
    Suppression::from_policy_toml(text).with_context(|| format!("policy {}", f.name))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (policy, policy_file) = crate::inputs::policy(&args.policy)?;
    let params = levels(policy_file.as_ref())?;
    let mut side = Vec::new();
    let roles = args.roles.roles(args.status.clone(), &mut side)?;
    let options = Options {
        method: match args.method {
            MethodArg::Fast => Method::Fast,
            MethodArg::Optimal => Method::Optimal,
        },
        cost: match args.cost {
            CostArg::Value => Cost::Value,
            CostArg::Unity => Cost::Unity,
            CostArg::Units => Cost::Units,
            CostArg::Log => Cost::Log,
        },
        time_limit: args.time_limit,
    };
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let bar = |name: &str| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} protecting {msg} [{bar:30}] {percent:>3} % {elapsed}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(name.to_owned());
        bar
    };
    let mut files = Vec::with_capacity(args.tables.len());
    let mut used: Vec<String> = Vec::new();
    let mut write = |checked: &cellguard_io::check::Checked,
                     protection: &suppress::Protection,
                     file: TableFile,
                     elapsed: std::time::Duration|
     -> Result<()> {
        let out = args
            .output
            .join(file_name(Path::new(&checked.input.name), &mut used));
        std::fs::write(
            &out,
            cellguard_io::protect::protected_csv(checked, protection),
        )
        .with_context(|| format!("cannot write {}", out.display()))?;
        summarize(&file, Some(elapsed));
        files.push(file);
        Ok(())
    };
    let mut checked_tables = Vec::with_capacity(args.tables.len());
    if args.linked {
        distinct(&args.tables)?;
        let checked: Vec<_> = (args.tables.iter())
            .map(|path| crate::inputs::check(path, &roles, &policy))
            .collect::<Result<_>>()?;
        let refs: Vec<&cellguard_io::check::Checked> = checked.iter().collect();
        let names: Vec<&str> = refs.iter().map(|c| c.input.name.as_str()).collect();
        let bar = bar(&names.join(" + "));
        let start = std::time::Instant::now();
        let protections =
            cellguard_io::protect::protect_linked_checked(&refs, &params, options, ticking(&bar))?;
        bar.finish_and_clear();
        let elapsed = start.elapsed();
        let linked = cellguard_io::protect::linked_files(&refs, &protections);
        for ((c, p), file) in checked.iter().zip(&protections).zip(linked) {
            write(c, p, file, elapsed)?;
        }
        checked_tables.extend(checked.into_iter().map(|c| (c.input, c.report)));
    } else {
        for path in &args.tables {
            let checked = crate::inputs::check(path, &roles, &policy)?;
            let bar = bar(&checked.input.name);
            let start = std::time::Instant::now();
            let protection =
                cellguard_io::protect::protect_checked(&checked, &params, options, ticking(&bar))?;
            bar.finish_and_clear();
            let file = TableFile::of_protection(&checked.report, &protection);
            write(&checked, &protection, file, start.elapsed())?;
            checked_tables.push((checked.input, checked.report));
        }
    }
    let inputs = checked_tables.iter().map(|(i, _)| i.clone()).collect();
    let report =
        cellguard_io::assemble_report(&policy, policy_file.as_ref(), checked_tables, &side);
    let report_path = args.output.join("report.json");
    std::fs::File::create(&report_path)
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            report.write_json(&mut w)?;
            std::io::Write::flush(&mut w)
        })
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    let protection = ProtectionFile::new(&policy, &params, inputs, files);
    let path = args.output.join("protection.json");
    std::fs::write(&path, protection.to_json())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(if protection.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn audit(args: AuditArgs) -> Result<ExitCode> {
    let (policy, policy_file) = crate::inputs::policy(&args.policy)?;
    let params = levels(policy_file.as_ref())?;
    let mut side = Vec::new();
    let roles = args.roles.roles(None, &mut side)?;
    if args.linked {
        distinct(&args.tables)?;
    }
    let mut read = Vec::with_capacity(args.tables.len());
    for path in &args.tables {
        let input = crate::inputs::read(path)?;
        read.push(crate::guard::reading(&input.name, || {
            Ok(cellguard_io::protect::audit_file(
                &input.name,
                &input.bytes,
                &roles,
                &policy,
                &args.status,
            )?)
        })?);
    }
    let start = std::time::Instant::now();
    let files = if args.linked {
        let tables: Vec<(&cellguard_io::check::Checked, &[bool])> =
            read.iter().map(|(c, p)| (c, p.as_slice())).collect();
        cellguard_io::protect::audit_linked_checked(&tables, &params)?
    } else {
        (read.iter())
            .map(|(c, p)| Ok(cellguard_io::protect::audit_checked(c, &params, p)?))
            .collect::<Result<Vec<_>>>()?
    };
    for file in &files {
        summarize(file, Some(start.elapsed()));
    }
    let inputs = read.iter().map(|(c, _)| c.input.clone()).collect();
    let protection = ProtectionFile::new(&policy, &params, inputs, files);
    if let Some(path) = &args.output {
        std::fs::write(path, protection.to_json())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(if protection.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Linked tables are two or more, each given once.
fn distinct(tables: &[PathBuf]) -> Result<()> {
    if tables.len() < 2 {
        anyhow::bail!("--linked: give two tables or more");
    }
    for (i, path) in tables.iter().enumerate() {
        if tables.get(..i).is_some_and(|before| before.contains(path)) {
            anyhow::bail!("--linked: {} is given twice", path.display());
        }
    }
    Ok(())
}

/// `<stem>.protected.csv`, numbered when two inputs share a stem.
fn file_name(path: &Path, used: &mut Vec<String>) -> String {
    let stem = path
        .file_stem()
        .map_or_else(|| "table".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut name = format!("{stem}.protected.csv");
    let mut k = 2;
    while used.contains(&name) {
        name = format!("{stem}-{k}.protected.csv");
        k += 1;
    }
    used.push(name.clone());
    name
}

/// One table's pattern in a few lines on standard error, and each primary left short.
fn summarize(t: &TableFile, elapsed: Option<std::time::Duration>) {
    let s = &t.summary;
    eprintln!(
        "{}: {} primaries, {} secondaries of {} cells; suppressed {} ({:.2} % of the table's figures); audit {} ({} components, {} linear programs){}",
        t.input,
        s.primaries,
        s.secondaries,
        s.cells,
        cellguard_io::number(s.suppressed_value),
        s.suppressed_percent,
        match s.audit {
            suppress::file::AuditVerdict::Passed => "passed",
            suppress::file::AuditVerdict::Failed => "FAILED",
        },
        s.components,
        s.programs,
        elapsed.map_or_else(String::new, |e| format!(" in {:.2} s", e.as_secs_f64()))
    );
    if let (Some(o), Some(cost)) = (&s.optimality, s.cost_total) {
        let why = match o.stop {
            suppress::optimal::Stop::Proven => "proven optimal".to_owned(),
            suppress::optimal::Stop::Budget => {
                "its budget of solver work spent (a time limit does not lift it)".to_owned()
            }
            suppress::optimal::Stop::TimeLimit => {
                "stopped at the time limit (another machine may go further)".to_owned()
            }
            suppress::optimal::Stop::Unprotected => {
                "not started: fast's pattern leaves primaries short".to_owned()
            }
        };
        let bound = o.lower_bound.map_or_else(
            || "no lower bound".to_owned(),
            |b| {
                let gap = if cost > 0.0 {
                    100.0 * (cost - b) / cost
                } else {
                    0.0
                };
                format!(
                    "cost {}, lower bound {} (gap {gap:.2} %)",
                    cellguard_io::number(cost),
                    cellguard_io::number(b)
                )
            },
        );
        eprintln!(
            "  optimal: {bound}; {why}; {} master programs, {} cuts",
            o.masters, o.cuts
        );
    }
    for c in &t.cells {
        for f in &c.shortfalls {
            let coords: Vec<String> = c.coords.iter().map(|(d, v)| format!("{d}={v}")).collect();
            let who = f.known.map_or_else(String::new, |r| {
                format!(" to the contributor of the one-unit cell on row {r}")
            });
            let what = match f.shortfall {
                suppress::Shortfall::Exact => "can be computed exactly".to_owned(),
                suppress::Shortfall::Upper { needed, reach } => format!(
                    "can be shown to lie within {} above its value; its upper protection level is {}",
                    cellguard_io::number(reach),
                    cellguard_io::number(needed)
                ),
                suppress::Shortfall::Lower { needed, reach } => format!(
                    "can be shown to lie within {} below its value; its lower protection level is {}",
                    cellguard_io::number(reach),
                    cellguard_io::number(needed)
                ),
                suppress::Shortfall::Sliding { needed, width } => format!(
                    "lies in an interval {} wide; its sliding protection level is {}",
                    cellguard_io::number(width),
                    cellguard_io::number(needed)
                ),
            };
            eprintln!("  row {} ({}) {what}{who}", c.row, coords.join(", "));
        }
    }
}

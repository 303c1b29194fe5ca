//! `cellguard check`: tables → report (text or JSON); exit 0 all safe, 1 findings.

use anyhow::{Context, Result};
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum OutFormat {
    Text,
    /// Every cell of every table.
    Json,
    /// Only the cells that are not safe, with every count, the policy and every input's SHA-256.
    CompactJson,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Table files (CSV, XLSX, Arrow IPC, Parquet), one row per cell.
    #[arg(required = true)]
    pub tables: Vec<PathBuf>,
    /// A preset (essnet, acro, sdctable) or a TOML policy file.
    #[arg(long, default_value = "essnet")]
    pub policy: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutFormat,
    /// Write the report here (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// A-priori status column (default: status).
    #[arg(long)]
    pub status: Option<String>,
    #[command(flatten)]
    pub roles: crate::inputs::RoleArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (policy, policy_file) = crate::inputs::policy(&args.policy)?;
    let mut side = Vec::new();
    let roles = args.roles.roles(args.status.clone(), &mut side)?;
    let mut tables = Vec::with_capacity(args.tables.len());
    for path in &args.tables {
        let checked = crate::inputs::check(path, &roles, &policy)?;
        tables.push((checked.input, checked.report));
    }
    let report = cellguard_io::assemble_report(&policy, policy_file.as_ref(), tables, &side);
    // JSON is written as it is made: a million-cell report is never held whole in memory.
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            OutFormat::Json => report.write_json(&mut *out),
            OutFormat::CompactJson => report.write_json_compact(&mut *out),
            OutFormat::Text => out.write_all(report.to_text().as_bytes()),
        }?;
        out.flush()
    };
    match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|f| write(&mut std::io::BufWriter::new(f)))
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write(&mut std::io::BufWriter::new(std::io::stdout().lock()))?,
    }
    Ok(if report.all_safe() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

//! `cellguard check`: tables → report (text or JSON); exit 0 all safe, 1 findings.

use anyhow::{Context, Result};
use cellguard_io::TableRoles;
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum OutFormat {
    Text,
    Json,
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
    /// Dimension columns (default: every column that is neither a shadow column nor a statistic).
    #[arg(long, value_name = "COLS")]
    pub dims: Vec<String>,
    /// Column with the number of distinct units (default: n, units, freq, count).
    #[arg(long)]
    pub n: Option<String>,
    /// Column with the cell magnitude (default: value).
    #[arg(long)]
    pub value: Option<String>,
    /// Top-contribution columns, largest first (default: top1, top2, …).
    #[arg(long, value_name = "COLS")]
    pub top: Vec<String>,
    /// Columns with the sampling weight of each top contribution's unit, in the order of the top columns
    /// (default: top1_weight, top2_weight, …).
    #[arg(long, value_name = "COLS")]
    pub top_weight: Vec<String>,
    /// Column with the sum of the sampling weights of each cell's units (default: weight).
    #[arg(long)]
    pub weight: Option<String>,
    /// A-priori status column (default: status).
    #[arg(long)]
    pub status: Option<String>,
    /// Degrees-of-freedom column (default: dof).
    #[arg(long)]
    pub dof: Option<String>,
    /// Code of margin cells.
    #[arg(long)]
    pub total: Option<String>,
    /// Codelist of a dimension: DIM=FILE with columns code,parent.
    #[arg(long, value_name = "DIM=FILE")]
    pub codelist: Vec<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (policy, policy_file) = crate::inputs::policy(&args.policy)?;
    let mut side = Vec::new();
    let roles = TableRoles {
        dims: (!args.dims.is_empty()).then(|| crate::inputs::list(&args.dims)),
        n: args.n.clone(),
        value: args.value.clone(),
        top: (!args.top.is_empty()).then(|| crate::inputs::list(&args.top)),
        top_weight: (!args.top_weight.is_empty()).then(|| crate::inputs::list(&args.top_weight)),
        weight: args.weight.clone(),
        status: args.status.clone(),
        dof: args.dof.clone(),
        total: args.total.clone(),
        codelists: crate::inputs::codelists(&args.codelist, &mut side)?,
        ..TableRoles::default()
    };
    let mut tables = Vec::with_capacity(args.tables.len());
    for path in &args.tables {
        let input = crate::inputs::read(path)?;
        // The file's bytes are shared with the checked frame: a CSV's text is not copied.
        let bytes = std::sync::Arc::new(input.bytes);
        let checked = cellguard_io::check_file_shared(
            &input.name,
            &bytes,
            cellguard_io::InputHash::Compute,
            &roles,
            &policy,
        )?;
        tables.push((checked.input, checked.report));
    }
    let report = cellguard_io::assemble_report(&policy, policy_file.as_ref(), tables, &side);
    // JSON is written as it is made: a million-cell report is never held whole in memory.
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            OutFormat::Json => report.write_json(&mut *out),
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

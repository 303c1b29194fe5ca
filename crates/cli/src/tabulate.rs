//! `cellguard tabulate`: microdata → table file with shadow columns.

use anyhow::{Result, bail};
use cellguard_engine::{Agg, TabulateSpec};
use cellguard_io::MicroRoles;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AggArg {
    Count,
    Sum,
    Mean,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Microdata files (CSV, XLSX, Arrow IPC, Parquet) with the same columns, e.g. one file per year of an
    /// extract; their rows are tabulated together. Folders named `key=value` in a file's path (the Hive
    /// convention: `parquet/year=2015/part-0.parquet`) give its rows a column `key`.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Keep only rows whose column has one of the values: `COL=V1,V2` (several --where: all must hold). On a
    /// partition key, the files of other values are not read at all.
    #[arg(long = "where", value_name = "COL=VALUES")]
    pub filters: Vec<String>,
    /// Row dimension columns (comma-separated).
    #[arg(long, value_name = "COLS")]
    pub rows: Vec<String>,
    /// Column dimension columns (comma-separated).
    #[arg(long, value_name = "COLS")]
    pub cols: Vec<String>,
    /// Magnitude column (needed for sum and mean).
    #[arg(long)]
    pub value: Option<String>,
    /// Published statistic.
    #[arg(long, value_enum, default_value = "count")]
    pub agg: AggArg,
    /// Unit identifier column: cells count distinct units and sum each unit's rows (default: each row is a unit).
    #[arg(long)]
    pub unit: Option<String>,
    /// Sampling weight column.
    #[arg(long)]
    pub weight: Option<String>,
    /// Add all margins and sub-totals.
    #[arg(long)]
    pub margins: bool,
    /// Number of largest contributions kept per cell (top1…topK).
    #[arg(long, default_value_t = 3)]
    pub top: u32,
    /// Code of the margin cells.
    #[arg(long, default_value = "Total")]
    pub total: String,
    /// Codelist of a dimension: DIM=FILE with columns code,parent.
    #[arg(long, value_name = "DIM=FILE")]
    pub codelist: Vec<String>,
    /// Output CSV file (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Files read (and then buckets tabulated) at once [default: the number of cores]. The table does not depend
    /// on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Buckets the rows are split into by unit (without --unit, in equal runs), tabulated one at a time: more
    /// buckets, less memory [default: one per 16 MiB of input, a power of two]. The table does not depend on it
    /// beyond the last bits of fractional sums.
    #[arg(long, value_name = "N")]
    pub buckets: Option<usize>,
    /// Folder for the rows kept between reading and tabulating, as records of a few bytes a dimension, removed
    /// at the end [default: the system's temporary folder].
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut side = Vec::new();
    let rows = crate::inputs::list(&args.rows);
    let cols = crate::inputs::list(&args.cols);
    if rows.is_empty() && cols.is_empty() {
        bail!("give the table's dimensions with --rows and/or --cols");
    }
    let agg = match args.agg {
        AggArg::Count => Agg::Count,
        AggArg::Sum => Agg::Sum,
        AggArg::Mean => Agg::Mean,
    };
    if agg != Agg::Count && args.value.is_none() {
        bail!("--agg {} needs --value COLUMN", agg.as_str());
    }
    let mut spec = TabulateSpec::new(&[], &[], agg);
    spec.rows = rows.clone();
    spec.cols = cols.clone();
    spec.margins = args.margins;
    spec.top_k = args.top;
    spec.total = args.total.clone();
    spec.hierarchies = crate::inputs::codelists(&args.codelist, &mut side)?;

    let filters = args
        .filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((col, values)) => Ok((col.trim(), values.split(',').map(str::trim).collect())),
            None => bail!("--where `{f}`: expected COLUMN=VALUE[,VALUE…]"),
        })
        .collect::<Result<Vec<(&str, Vec<&str>)>>>()?;
    // Only the columns the table needs are read (a wide extract has dozens more).
    let wanted: Vec<&str> = rows
        .iter()
        .chain(&cols)
        .map(String::as_str)
        .chain(args.value.as_deref().filter(|_| agg != Agg::Count))
        .chain(args.unit.as_deref())
        .chain(args.weight.as_deref())
        .chain(filters.iter().map(|(col, _)| *col))
        .collect();
    // Folders named `key=value` give a file's rows those columns; a --where on a key skips the files of other
    // values unread.
    let mut inputs = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        let keys = cellguard_io::partition_keys(&path.display().to_string())?;
        if filters
            .iter()
            .all(|(col, values)| cellguard_io::may_match(&keys, col, values))
        {
            inputs.push(crate::buckets::Input {
                path: path.clone(),
                keys,
            });
        }
    }
    if inputs.is_empty() {
        bail!(
            "--where leaves none of the {} input files: their partition folders hold none of the values asked for",
            args.inputs.len()
        );
    }
    let roles = MicroRoles {
        dims: rows.iter().chain(&cols).cloned().collect(),
        value: if agg == Agg::Count {
            None
        } else {
            args.value.clone()
        },
        unit: args.unit.clone(),
        weight: args.weight.clone(),
    };
    let threads = match args.threads {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let temp = args.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let job = crate::buckets::Job {
        spec: &spec,
        roles: &roles,
        wanted: &wanted,
        filters: &filters,
        temp: &temp,
        threads,
        buckets: args.buckets,
        piece_rows: crate::buckets::PIECE_ROWS,
    };
    // Hidden automatically when standard error is not a terminal.
    let bar =
        ProgressBar::with_draw_target(Some(inputs.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{bar:30}] {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let name = args
        .output
        .as_ref()
        .map_or_else(|| "table".to_string(), |p| p.display().to_string());
    let table = crate::buckets::tabulate(&name, &inputs, &job, &|stage, done, total| {
        bar.set_message(stage);
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let bytes = cellguard_io::tabulated_to_csv(&table);
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

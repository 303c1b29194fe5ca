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
    let mut frames = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        // Folders named `key=value` give the file's rows those columns; a --where on a key skips the files of
        // other values unread.
        let keys = cellguard_io::partition_keys(&path.display().to_string())?;
        if !filters
            .iter()
            .all(|(col, values)| cellguard_io::may_match(&keys, col, values))
        {
            continue;
        }
        let input = crate::inputs::read(path)?;
        let name = input.name.clone();
        frames.push(crate::guard::reading(&name, || {
            Ok(if keys.is_empty() {
                // Shared with the frame: a CSV's text is not copied.
                cellguard_io::read_frame_columns_shared(
                    &input.name,
                    &std::sync::Arc::new(input.bytes),
                    &wanted,
                )?
            } else {
                read_partition(input, &keys, &wanted)?
            })
        })?);
    }
    if frames.is_empty() {
        bail!(
            "--where leaves none of the {} input files: their partition folders hold none of the values asked for",
            args.inputs.len()
        );
    }
    let mut frame = cellguard_io::concat_frames(frames)?;
    for (col, values) in &filters {
        frame = cellguard_io::filter_rows(frame, col, values)?;
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
    let md = cellguard_io::microdata_from_frame(&frame, &roles)?;
    drop(frame);
    // Hidden automatically when standard error is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(md.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} tabulating {pos}/{len} rows [{bar:30}] {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let name = args
        .output
        .as_ref()
        .map_or_else(|| "table".to_string(), |p| p.display().to_string());
    let table =
        cellguard_engine::tabulate(&name, &md, &spec, &mut |done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    let bytes = cellguard_io::tabulated_to_csv(&table);
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The `wanted` columns of a file under partition folders: those of the file read from it, the keys added. At
/// least one column is read from the file even when the table needs only keys (it gives the rows).
fn read_partition(
    input: crate::inputs::Input,
    keys: &[cellguard_io::PartitionKey],
    wanted: &[&str],
) -> Result<cellguard_io::Frame> {
    let names = cellguard_io::column_names(&input.name, &input.bytes)?;
    let mut from_file: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !keys.iter().any(|k| k.key == *w))
        .collect();
    if from_file.is_empty() {
        from_file.extend(names.first().map(String::as_str));
    }
    let frame = cellguard_io::read_frame_columns_shared(
        &input.name,
        &std::sync::Arc::new(input.bytes),
        &from_file,
    )?;
    let mut frame = cellguard_io::with_partition_columns(frame, keys, &names)?;
    if wanted.iter().all(|w| frame.column(w).is_some()) {
        frame.columns.retain(|c| wanted.contains(&c.name.as_str()));
    }
    Ok(frame)
}

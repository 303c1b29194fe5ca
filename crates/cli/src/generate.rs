//! `cellguard generate`: a synthetic extract with the design of deliberation IVC/KSZG 24/194 (phase 1: the
//! stratified sample with household members; phase 2: the whole population), with codebook, manifest,
//! calibration report and disclosure-risk report.

use anyhow::Result;
use cellguard_extract::output::Classing;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 1: stratified sample with household members; 2: the whole population.
    #[arg(long, default_value_t = 1)]
    pub phase: u8,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The pseudonymisation key; created with a fresh random key when missing. Never copied into the output.
    #[arg(long, value_name = "FILE")]
    pub key_file: PathBuf,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Share of Belgium's population to simulate, in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Lower bounds of the age classes, e.g. 0,18,25,35,45,55,65.
    #[arg(long, value_delimiter = ',')]
    pub age_classes: Vec<u16>,
    /// Width of the amount classes in euros.
    #[arg(long, default_value_t = 100)]
    pub amount_class: u32,
    /// Also write Arrow IPC files in phase 2 (always written in phase 1).
    #[arg(long)]
    pub arrow: bool,
    /// Print the calibration report (each target beside the generated value) and the risk summary.
    #[arg(long)]
    pub report: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut classing = Classing::default();
    if !args.age_classes.is_empty() {
        let mut b = args.age_classes.clone();
        b.sort_unstable();
        b.dedup();
        if b.first() != Some(&0) {
            b.insert(0, 0);
        }
        classing.age_bounds = b;
    }
    if args.amount_class == 0 {
        anyhow::bail!("--amount-class must be at least 1 euro");
    }
    classing.amount_width = args.amount_class;
    let cfg = cellguard_extract::Config {
        phase: args.phase,
        seed: args.seed,
        scale: args.scale,
        out: args.out.clone(),
        key_file: args.key_file.clone(),
        classing,
        arrow: args.arrow,
    };
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} households [{bar:30}] {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = std::time::Instant::now();
    let summary = cellguard_extract::generate(&cfg, &mut |stage, done, total| {
        bar.set_length(total);
        bar.set_message(stage.to_owned());
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    let rows: u64 = summary.rows_by_year.values().flat_map(|m| m.values()).sum();
    writeln!(
        out,
        "phase {}: {} persons, {} person-year rows, {} files in {} ({:.1} s){}",
        summary.phase,
        summary.persons,
        rows,
        summary.files.len() + 1,
        args.out.display(),
        start.elapsed().as_secs_f64(),
        if summary.key_created {
            "; a new key was written to the key file"
        } else {
            ""
        }
    )?;
    if args.report {
        writeln!(out, "\ncalibration (target / generated / tolerance):")?;
        for l in &summary.calibration {
            writeln!(
                out,
                "  {:<44} {:>8} {:>8} {:<6} {:<8} {}",
                l.key,
                l.target,
                l.generated,
                l.unit,
                l.tolerance,
                if l.within { "ok" } else { "OUT" }
            )?;
        }
        writeln!(
            out,
            "\ndisclosure risk (quasi-identifiers: {}):",
            cellguard_extract::report::QUASI_IDENTIFIERS.join(", ")
        )?;
        for y in &summary.risk {
            writeln!(
                out,
                "  {}: {} records, {} sample uniques ({} %), k = {}",
                y.year, y.records, y.sample_uniques, y.share_unique_pct, y.k_anonymity
            )?;
        }
        if summary.phase == 1 {
            writeln!(out, "\nsampled persons by stratum:")?;
            for (s, by_year) in &summary.sampled_by_stratum {
                let n: u64 = by_year.values().sum();
                writeln!(out, "  {n:>7}  {s}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

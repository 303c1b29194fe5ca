//! The `cellguard` binary: tabulate microdata, check tables against a disclosure policy, show policies.
//!
//! Exit codes: 0 every cell safe, 1 findings (a cell unsafe or to review), 2 error (input not understood).

mod check;
mod generate;
mod inputs;
mod policy;
mod serve;
mod tabulate;

/// mimalloc: a check allocates its report's arrays afresh; the system allocator returns them to the kernel
/// after each table and faults them in again for the next, mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "cellguard", version, about = "Statistical-disclosure output checker", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Tabulate microdata into a table file with shadow columns (n, value, top1…topK).
    Tabulate(tabulate::Args),
    /// Check one or more tables against a disclosure policy.
    Check(check::Args),
    /// List the built-in policies or show one as TOML.
    Policy {
        #[command(subcommand)]
        action: policy::Action,
    },
    /// Generate a synthetic extract (deliberation IVC/KSZG 24/194 design) with codebook and reports.
    Generate(generate::Args),
    /// Serve the built browser page on 127.0.0.1 (tables are checked in the browser; nothing is uploaded).
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tabulate(args) => tabulate::run(args),
        Command::Check(args) => check::run(args),
        Command::Policy { action } => policy::run(action),
        Command::Serve(args) => serve::run(args),
        Command::Generate(args) => generate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

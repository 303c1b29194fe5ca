//! The `cellguard` binary: tabulate microdata, check tables against a disclosure policy, show policies; package
//! outputs, sign a review off and verify a release bundle.
//!
//! Exit codes: 0 every cell safe (a bundle verifies), 1 findings (a cell unsafe or to review; a bundle that does
//! not verify), 2 error (input not understood).

mod buckets;
mod check;
mod generate;
mod guard;
mod inputs;
mod policy;
mod protect;
mod serve;
mod signoff;
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
    /// Protect tables by secondary suppression: a pattern in which an LP audit finds every unsafe cell protected.
    Protect(protect::Args),
    /// Audit a suppression pattern made elsewhere: exit 0 when every unsafe cell is protected, 1 with those
    /// that are not.
    Audit(protect::AuditArgs),
    /// List the built-in policies or show one as TOML.
    Policy {
        #[command(subcommand)]
        action: policy::Action,
    },
    /// Generate a synthetic extract (deliberation IVC/KSZG 24/194 design) with codebook and reports.
    Generate(generate::Args),
    /// Package outputs for review: files, comments, exception requests and their checks.
    Package {
        #[command(subcommand)]
        action: signoff::PackageAction,
    },
    /// Make a reviewer's key pair: the private key sealed under a passphrase, the public key to share.
    Keygen(signoff::KeygenArgs),
    /// Decide on a package's outputs (from a TOML file), sign, and write the release bundle.
    Review(signoff::ReviewArgs),
    /// Verify a release bundle against trusted public keys: exit 0 when it holds, 1 with each failure named.
    Verify(signoff::VerifyArgs),
    /// Serve the built browser page on 127.0.0.1 (tables are checked in the browser; nothing is uploaded).
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    guard::install();
    let result = match cli.command {
        Command::Tabulate(args) => tabulate::run(args),
        Command::Check(args) => check::run(args),
        Command::Protect(args) => protect::run(args),
        Command::Audit(args) => protect::audit(args),
        Command::Policy { action } => policy::run(action),
        Command::Serve(args) => serve::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Package { action } => signoff::package(action),
        Command::Keygen(args) => signoff::keygen(args),
        Command::Review(args) => signoff::review(args),
        Command::Verify(args) => signoff::verify(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

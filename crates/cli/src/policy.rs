//! `cellguard policy list|show`.

use anyhow::Result;
use cellguard_engine::Policy;
use clap::Subcommand;
use std::io::Write;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum Action {
    /// List the built-in presets.
    List,
    /// Print a preset or a policy file as TOML (every parameter, as reports record it).
    Show { name: String },
}

pub fn run(action: Action) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match action {
        Action::List => {
            for name in cellguard_engine::policy::PRESETS {
                let p = Policy::preset(name)?;
                writeln!(out, "{name:<10} {}", p.description)?;
            }
        }
        Action::Show { name } => {
            let (p, _) = crate::inputs::policy(&name)?;
            write!(out, "{}", p.to_toml())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! Reading files for the subcommands: bytes, names for messages, codelists and policies.

use anyhow::{Context, Result, bail};
use cellguard_engine::{Hierarchy, Policy};
use std::collections::BTreeMap;
use std::path::Path;

/// A file's display name (as given on the command line) and bytes.
pub type Input = cellguard_io::NamedBytes;

pub fn read(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Input {
        name: path.display().to_string(),
        bytes,
    })
}

/// Parses `DIM=FILE` codelist arguments.
pub fn codelists(args: &[String], inputs: &mut Vec<Input>) -> Result<BTreeMap<String, Hierarchy>> {
    let mut out = BTreeMap::new();
    for a in args {
        let Some((dim, file)) = a.split_once('=') else {
            bail!("--codelist `{a}`: expected DIMENSION=FILE (a CSV with columns code,parent)");
        };
        let input = read(Path::new(file))?;
        let frame = cellguard_io::read_frame(&input.name, &input.bytes)?;
        out.insert(
            dim.to_owned(),
            cellguard_io::codelist_from_frame(&frame, dim)?,
        );
        inputs.push(input);
    }
    Ok(out)
}

/// A policy by preset name or TOML file; returns it with the file's SHA-256 when it came from a file.
pub fn policy(arg: &str) -> Result<(Policy, Option<Input>)> {
    if cellguard_engine::policy::PRESETS.contains(&arg) {
        return Ok((Policy::preset(arg)?, None));
    }
    let path = Path::new(arg);
    if !path.exists() {
        bail!(
            "unknown policy `{arg}`: not a preset ({}) and no such file",
            cellguard_engine::policy::PRESETS.join(", ")
        );
    }
    let input = read(path)?;
    let policy = cellguard_io::policy_from_toml(&input)?;
    Ok((policy, Some(input)))
}

/// Splits comma-separated lists given once or several times (`--rows a,b --rows c`).
pub fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

//! Reading files for the subcommands: bytes, names for messages, codelists and policies.

use anyhow::{Context, Result, bail};
use cellguard_engine::{Hierarchy, Policy};
use std::collections::BTreeMap;
use std::path::Path;

/// A file's display name (as given on the command line) and bytes.
pub type Input = cellguard_io::NamedBytes;

/// Reads a file whole; one over [`cellguard_io::limits::MAX_FILE_BYTES`] is refused before it is read.
pub fn read(path: &Path) -> Result<Input> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    cellguard_io::limits::check_file_size(
        &path.display().to_string(),
        size,
        cellguard_io::limits::MAX_FILE_BYTES,
    )?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Input {
        name: path.display().to_string(),
        bytes,
    })
}

/// Reads and checks one table file (`check`, `protect`). The file's bytes are shared with the checked frame: a
/// CSV's text is not copied.
pub fn check(
    path: &Path,
    roles: &cellguard_io::TableRoles,
    policy: &Policy,
) -> Result<cellguard_io::check::Checked> {
    let input = read(path)?;
    let bytes = std::sync::Arc::new(input.bytes);
    crate::guard::reading(&input.name, || {
        Ok(cellguard_io::check_file_shared(
            &input.name,
            &bytes,
            cellguard_io::InputHash::Compute,
            roles,
            policy,
        )?)
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
        let codelist = crate::guard::reading(&input.name, || {
            let frame = cellguard_io::read_frame(&input.name, &input.bytes)?;
            Ok(cellguard_io::codelist_from_frame(&frame, dim)?)
        })?;
        out.insert(dim.to_owned(), codelist);
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
    let policy =
        crate::guard::reading(&input.name, || Ok(cellguard_io::policy_from_toml(&input)?))?;
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

/// The options that say which column plays which role in a table file (`check`, `protect`, `audit`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RoleArgs {
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

impl RoleArgs {
    /// The roles, with the a-priori `status` column and the codelist files read (and added to `side`, the
    /// report's side inputs).
    pub fn roles(
        &self,
        status: Option<String>,
        side: &mut Vec<Input>,
    ) -> Result<cellguard_io::TableRoles> {
        Ok(cellguard_io::TableRoles {
            dims: (!self.dims.is_empty()).then(|| list(&self.dims)),
            n: self.n.clone(),
            value: self.value.clone(),
            top: (!self.top.is_empty()).then(|| list(&self.top)),
            top_weight: (!self.top_weight.is_empty()).then(|| list(&self.top_weight)),
            weight: self.weight.clone(),
            status,
            dof: self.dof.clone(),
            total: self.total.clone(),
            codelists: codelists(&self.codelist, side)?,
            ..cellguard_io::TableRoles::default()
        })
    }
}

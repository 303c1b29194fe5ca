//! Cross-crate tests: the bad-input corpus, the report, protection, package and decisions schemas, golden reports across file
//! formats, and tidy rules.

mod corpus;
mod fuzz;
mod golden;
mod protection_schema;
mod schema;
mod signoff_schema;
mod tidy;

use cellguard_engine::{Policy, Report};
use cellguard_io::TableRoles;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Checks one file as the CLI does; `Err` is the error message the user would see.
pub fn check_file(path: &Path, policy: &str) -> Result<Report, String> {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let policy = Policy::preset(policy).unwrap();
    let c = cellguard_io::check_file(&name, &bytes, &TableRoles::default(), &policy)
        .map_err(|e| e.to_string())?;
    Ok(cellguard_io::assemble_report(
        &policy,
        None,
        vec![(c.input, c.report)],
        &[],
    ))
}

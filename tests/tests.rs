//! Cross-crate tests: the bad-input corpus, the report schema, golden reports across file formats, and tidy rules.

mod corpus;
mod golden;
mod schema;
mod tidy;

use cellguard_engine::{Policy, Report, check_table};
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
    let frame = cellguard_io::read_frame(&name, &bytes).map_err(|e| e.to_string())?;
    let (table, _) = cellguard_io::table_from_frame(&frame, &TableRoles::default())
        .map_err(|e| e.to_string())?;
    let mut tr = check_table(&table, &policy).map_err(|e| format!("{name}: {e}"))?;
    tr.input = name.clone();
    Ok(Report {
        policy,
        policy_sha256: None,
        inputs: vec![cellguard_io::input_record(&name, &bytes)],
        tables: vec![tr],
    })
}

//! One checking pipeline for the CLI and the page: bytes → frame → table → report. Both front ends call these
//! functions, so the same files and policy give the same report bytes in a terminal and in the browser.

use crate::{Error, Frame, ResolvedRoles, TableRoles};
use cellguard_engine::{InputRecord, Policy, Report, Table, TableReport};

/// A named file's bytes, as a front end read them (from disk, or dropped on the page).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedBytes {
    /// The name reports show: the path as given on the command line, or the dropped file's name.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One table file, checked: everything a front end needs to show, explain and export it.
#[derive(Debug)]
pub struct Checked {
    pub frame: Frame,
    pub roles: ResolvedRoles,
    pub table: Table,
    pub report: TableReport,
    pub input: InputRecord,
}

/// Reads, maps and checks one table file. Errors name the file; findings are in the report.
pub fn check_file(
    name: &str,
    bytes: &[u8],
    roles: &TableRoles,
    policy: &Policy,
) -> Result<Checked, Error> {
    let frame = crate::read_frame(name, bytes)?;
    let (table, resolved) = crate::table_from_frame(&frame, roles)?;
    let mut report =
        cellguard_engine::check_table(&table, policy).map_err(|error| Error::Engine {
            file: name.to_owned(),
            error,
        })?;
    report.input = name.to_owned();
    Ok(Checked {
        frame,
        roles: resolved,
        table,
        report,
        input: crate::input_record(name, bytes),
    })
}

/// The report of a run: the policy (and its file's hash when it came from a file), every input in order — the
/// tables, then the policy file, then side files such as codelists — and the tables' reports.
pub fn assemble_report(
    policy: &Policy,
    policy_file: Option<&NamedBytes>,
    tables: Vec<(InputRecord, TableReport)>,
    side: &[NamedBytes],
) -> Report {
    let mut report = Report {
        policy: policy.clone(),
        policy_sha256: policy_file.map(|f| crate::sha256_hex(&f.bytes)),
        inputs: Vec::with_capacity(tables.len() + side.len() + 1),
        tables: Vec::with_capacity(tables.len()),
    };
    for (input, table) in tables {
        report.inputs.push(input);
        report.tables.push(table);
    }
    for f in policy_file.into_iter().chain(side) {
        report.inputs.push(crate::input_record(&f.name, &f.bytes));
    }
    report
}

/// A policy from a preset name or a TOML file's bytes; errors name the file and the key.
pub fn policy_from_toml(file: &NamedBytes) -> Result<Policy, Error> {
    let text = std::str::from_utf8(&file.bytes).map_err(|e| Error::Format {
        file: file.name.clone(),
        format: "TOML policy",
        message: format!("not UTF-8 text (byte {})", e.valid_up_to()),
    })?;
    Policy::from_toml(text).map_err(|error| Error::Engine {
        file: file.name.clone(),
        error,
    })
}

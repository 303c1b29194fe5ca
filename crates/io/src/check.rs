//! One checking pipeline for the CLI and the page: bytes → frame → table → report. Both front ends call these
//! functions, so the same files and policy give the same report bytes in a terminal and in the browser.

use crate::{Error, Frame, ResolvedRoles, TableRoles};
use cellguard_engine::{InputRecord, Policy, Report, Table, TableReport};
use std::sync::Arc;

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
    check_file_hashed(name, bytes, InputHash::Compute, roles, policy)
}

/// Where a checked file's SHA-256 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputHash<'a> {
    /// Computed here from the bytes.
    Compute,
    /// Already known (lowercase hex, e.g. from the browser's WebCrypto); anything that is not 64 lowercase hex
    /// digits is ignored and the hash is computed here.
    Known(&'a str),
    /// Filled in by the caller once it has it: the input record's hash is empty until then.
    Later,
}

/// As [`check_file`], with the hash of the bytes from `sha256`.
pub fn check_file_hashed(
    name: &str,
    bytes: &[u8],
    sha256: InputHash<'_>,
    roles: &TableRoles,
    policy: &Policy,
) -> Result<Checked, Error> {
    check(name, bytes, None, sha256, roles, policy)
}

/// As [`check_file_hashed`], from bytes the caller shares: the checked frame's text points into them rather than
/// into a copy (see [`read_frame_shared`](crate::read_frame_shared)).
pub fn check_file_shared(
    name: &str,
    bytes: &Arc<Vec<u8>>,
    sha256: InputHash<'_>,
    roles: &TableRoles,
    policy: &Policy,
) -> Result<Checked, Error> {
    check(name, bytes, Some(bytes), sha256, roles, policy)
}

fn check(
    name: &str,
    bytes: &[u8],
    shared: Option<&Arc<Vec<u8>>>,
    sha256: InputHash<'_>,
    roles: &TableRoles,
    policy: &Policy,
) -> Result<Checked, Error> {
    let frame = match shared {
        Some(shared) => crate::read_frame_shared(name, shared)?,
        None => crate::read_frame(name, bytes)?,
    };
    check_frame(name, bytes, frame, sha256, roles, policy)
}

/// As [`check_file_hashed`], for a file whose frame is already read from its `bytes` (the page's worker joins a
/// large CSV's frame from two pieces read at once: [`join_csv_tail`](crate::join_csv_tail)).
pub fn check_frame(
    name: &str,
    bytes: &[u8],
    mut frame: Frame,
    sha256: InputHash<'_>,
    roles: &TableRoles,
    policy: &Policy,
) -> Result<Checked, Error> {
    let (table, resolved) = crate::table_from_frame(&mut frame, roles)?;
    let mut report =
        cellguard_engine::check_table(&table, policy).map_err(|error| Error::Engine {
            file: name.to_owned(),
            error,
        })?;
    report.input = name.to_owned();
    let input = match sha256 {
        InputHash::Known(h) if is_sha256_hex(h) => InputRecord {
            name: name.to_owned(),
            sha256: h.to_owned(),
            bytes: bytes.len() as u64,
        },
        InputHash::Later => InputRecord {
            name: name.to_owned(),
            sha256: String::new(),
            bytes: bytes.len() as u64,
        },
        InputHash::Known(_) | InputHash::Compute => crate::input_record(name, bytes),
    };
    Ok(Checked {
        frame,
        roles: resolved,
        table,
        report,
        input,
    })
}

/// 64 lowercase hex digits: a SHA-256 as reports write it.
pub fn is_sha256_hex(h: &str) -> bool {
    h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
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
        failed: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use cellguard_engine::RuleCode;

    #[test]
    fn a_known_hash_is_used_and_a_malformed_one_ignored() {
        let bytes = b"sex,n\nM,12\nF,30\n";
        let policy = Policy::preset("essnet").unwrap();
        let own = crate::sha256_hex(bytes);
        let given = "ab".repeat(32);
        let c = check_file_hashed(
            "t.csv",
            bytes,
            InputHash::Known(&given),
            &TableRoles::default(),
            &policy,
        )
        .unwrap();
        assert_eq!(c.input.sha256, given);
        for bad in ["xyz", &"AB".repeat(32), &"ab".repeat(31)] {
            let c = check_file_hashed(
                "t.csv",
                bytes,
                InputHash::Known(bad),
                &TableRoles::default(),
                &policy,
            )
            .unwrap();
            assert_eq!(c.input.sha256, own, "{bad}");
        }
        let later = check_file_hashed(
            "t.csv",
            bytes,
            InputHash::Later,
            &TableRoles::default(),
            &policy,
        )
        .unwrap();
        assert_eq!(later.input.sha256, "", "the caller fills it in");
        assert_eq!(later.input.bytes, bytes.len() as u64);
        assert_eq!(
            check_file("t.csv", bytes, &TableRoles::default(), &policy)
                .unwrap()
                .input
                .sha256,
            own
        );
    }

    /// The τ-ARGUS worked example of sampling weights, read from a CSV: a cell of 470 whose two units contribute
    /// 100 (weight 4) and 10 (weight 7). Replicated by weight, its two largest are 100 + 100 = 200, 42.6 %.
    /// Without any weight column the file is an unweighted table: two units, 110 of 470, 23.4 %. With the
    /// cell's weight but not its units' weights the magnitude rules cannot decide (fail closed).
    ///
    /// Source: τ-ARGUS 4.2 manual §4.2.2 ("sampling weights"); Hundepool et al. (2012), *Statistical Disclosure
    /// Control*, §4.2.
    #[test]
    fn sampling_weights_read_from_a_csv() {
        const WEIGHTED: &str =
            "d,n,value,top1,top2,top1_weight,top2_weight,weight\na,2,470,100,10,4,7,11\n";
        const TOP_WEIGHTS_ONLY: &str =
            "d,n,value,top1,top2,top1_weight,top2_weight\na,2,470,100,10,4,7\n";
        const UPPER_CASE: &str =
            "d,n,value,top1,top2,TOP1_WEIGHT,Top2_Weight,weight\na,2,470,100,10,4,7,11\n";
        const UNWEIGHTED: &str = "d,n,value,top1,top2\na,2,470,100,10\n";
        const NO_TOP_WEIGHTS: &str = "d,n,value,top1,top2,weight\na,2,470,100,10,11\n";
        const NOT_DECIDED: &str = "`top1_weight` is missing: the rules that need it cannot decide";
        // (file, dominance (n, k), the cell's status, its dominance and missing findings)
        type Case<'a> = (&'a str, (u32, f64), &'a str, &'a [&'a str]);
        let cases: [Case; 9] = [
            (WEIGHTED, (2, 85.0), "safe", &[]),
            (
                WEIGHTED,
                (2, 40.0),
                "unsafe",
                &["top 2 = 42.6 % of value > 40.0 %"],
            ),
            // The units' weights make the table weighted on their own.
            (
                TOP_WEIGHTS_ONLY,
                (2, 40.0),
                "unsafe",
                &["top 2 = 42.6 % of value > 40.0 %"],
            ),
            (
                UPPER_CASE,
                (2, 40.0),
                "unsafe",
                &["top 2 = 42.6 % of value > 40.0 %"],
            ),
            (UNWEIGHTED, (2, 85.0), "safe", &[]),
            (UNWEIGHTED, (2, 40.0), "safe", &[]),
            (
                UNWEIGHTED,
                (2, 20.0),
                "unsafe",
                &["top 2 = 23.4 % of value > 20.0 %"],
            ),
            (NO_TOP_WEIGHTS, (2, 85.0), "review", &[NOT_DECIDED]),
            (NO_TOP_WEIGHTS, (2, 40.0), "review", &[NOT_DECIDED]),
        ];
        for (csv, (n, k), status, findings) in cases {
            check_dominance(csv, n, k, status, findings);
        }
    }

    /// Checks `csv` under a policy with dominance (n, k) alone: the one cell's status and the details of its
    /// dominance and missing findings.
    fn check_dominance(csv: &str, n: u32, k: f64, status: &str, findings: &[&str]) {
        let mut policy = Policy::preset("essnet").unwrap();
        policy.threshold = None;
        policy.class_disclosure = None;
        policy.p_percent = None;
        policy.pq = None;
        policy.dominance = vec![cellguard_engine::policy::Dominance {
            n,
            k,
            inclusive: false,
        }];
        let c = check_file("t.csv", csv.as_bytes(), &TableRoles::default(), &policy).unwrap();
        assert_eq!(c.roles.dims, ["d"], "{csv}");
        let r = &c.report;
        let cells: Vec<_> = r.cells().collect();
        let got: Vec<String> = r
            .findings_of(RuleCode::Dominance)
            .chain(r.findings_of(RuleCode::Missing))
            .map(|f| f.detail(&r.dimensions))
            .collect();
        assert_eq!(
            (cells.len(), cells[0].status.as_str(), got),
            (1, status, findings.iter().map(|s| s.to_string()).collect()),
            "({n}, {k}) on {csv}"
        );
    }
}

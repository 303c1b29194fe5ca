//! Secondary suppression in the page. The work runs in a WebAssembly module of its own (`cellguard-protect`,
//! started by `protect_loader.js` the first time a table is protected): the checking page stays small, and a long
//! search can be stopped by ending that worker. It does what `cellguard protect` does for one table file — check
//! it, choose the pattern, audit it — and answers with the protection file and the protected table, the same bytes
//! as the command line writes for the same file, policy and options.

use crate::protocol::{Bytes, FileIn, RolesIn, Said, Sink};
use cellguard_engine::Policy;
use cellguard_engine::suppress::file::{ProtectionFile, SummaryFile, TableFile};
use cellguard_engine::suppress::{Cost, Method, Options, Suppression};
use serde::{Deserialize, Serialize};

/// What to protect: a table file with its column roles, under a policy (and the policy file whose
/// `[suppression]` sets the protection levels, if it came from one), by a method and cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectIn {
    /// Which request this is: an answer to an older one is not shown.
    pub job: u32,
    pub file: FileIn,
    pub roles: RolesIn,
    pub policy: Policy,
    pub policy_file: Option<FileIn>,
    pub method: Method,
    pub cost: Cost,
}

/// The answer to a [`ProtectIn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectOut {
    pub job: u32,
    pub result: Result<Protected, Said>,
}

/// A table protected: the pattern in numbers, and the two files to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protected {
    /// The table's input name.
    pub input: String,
    pub summary: SummaryFile,
    /// `cellguard-protection/2` JSON, as `cellguard protect` writes `protection.json`.
    pub protection: Bytes,
    /// The protected table (every suppressed value an `x`, the status column saying `secondary` for the
    /// cells suppressed to protect others), and its file name.
    pub table: Bytes,
    pub table_name: String,
}

/// Protects one table file as `cellguard protect FILE --policy … --method … --cost …` does.
pub fn protect(input: &ProtectIn) -> Result<Protected, Said> {
    let name = &input.file.name;
    let bytes = input.file.bytes.to_vec().map_err(Said::english)?;
    let params = match &input.policy_file {
        Some(f) => {
            let text = f.bytes.to_vec().map_err(Said::english)?;
            let text = String::from_utf8_lossy(&text);
            Suppression::from_policy_toml(&text).map_err(|e| Said::engine(&f.name, &e))?
        }
        None => Suppression::default(),
    };
    let roles = crate::session::table_roles(&input.roles);
    let checked = cellguard_io::check_file(name, &bytes, &roles, &input.policy)?;
    let options = Options {
        method: input.method,
        cost: input.cost,
        time_limit: None,
    };
    let protection = cellguard_io::protect::protect_checked(&checked, &params, options, |_, _| {})?;
    let table = TableFile::of_protection(&checked.report, &protection);
    let summary = table.summary.clone();
    let file = ProtectionFile::new(
        &input.policy,
        &params,
        vec![checked.input.clone()],
        vec![table],
    );
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let stem = stem.rsplit('/').next().unwrap_or(stem);
    Ok(Protected {
        input: checked.input.name.clone(),
        summary,
        protection: whole(&file.to_json(), "application/json"),
        table: whole(
            &cellguard_io::protect::protected_csv(&checked, &protection),
            "text/csv",
        ),
        table_name: format!("{stem}.protected.csv"),
    })
}

/// Bytes as the page saves them (see [`Sink`]).
fn whole(bytes: &[u8], mime: &str) -> Bytes {
    let mut sink = Sink::default();
    let _ = std::io::Write::write_all(&mut sink, bytes);
    sink.finish(mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: &[u8] = include_bytes!("../../tests/golden/protect_counts.csv");
    /// Written by `cellguard protect protect_counts.csv --policy essnet` (a native test keeps it current).
    const FAST: &[u8] = include_bytes!("../../tests/golden/protect_counts.essnet.protection.json");

    fn asked(method: Method) -> ProtectIn {
        ProtectIn {
            job: 1,
            file: FileIn::new("protect_counts.csv", COUNTS.to_vec()),
            roles: RolesIn::default(),
            policy: Policy::preset("essnet").unwrap(),
            policy_file: None,
            method,
            cost: Cost::Value,
        }
    }

    #[test]
    fn the_page_protects_a_table_as_the_command_line_does() {
        let p = protect(&asked(Method::Fast)).unwrap();
        assert_eq!(
            String::from_utf8(p.protection.to_vec().unwrap()).unwrap(),
            String::from_utf8(FAST.to_vec()).unwrap()
        );
        assert!(p.summary.primaries > 0 && p.summary.secondaries > 0);
        assert_eq!(p.table_name, "protect_counts.protected.csv");
        let csv = String::from_utf8(p.table.to_vec().unwrap()).unwrap();
        assert!(csv.contains(",secondary"), "{csv}");
    }

    #[test]
    fn a_file_that_cannot_be_protected_says_why_in_each_language() {
        let mut bad = asked(Method::Fast);
        bad.file = FileIn::new("t.csv", b"a,n\nx,1\nx,2\n".to_vec());
        let e = protect(&bad).unwrap_err();
        assert!(
            e.en.starts_with("t.csv: rows 2 and 3 describe the same cell"),
            "{}",
            e.en
        );
        assert!(
            e.other
                .iter()
                .all(|(_, s)| s != &e.en && s.starts_with("t.csv"))
        );
    }
}

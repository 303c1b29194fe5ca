//! Secondary suppression in the page. The work runs in a WebAssembly module of its own (`cellguard-protect`,
//! started by `protect_loader.js` the first time a table is protected): the checking page stays small, and a long
//! search can be stopped by ending that worker. It does what `cellguard protect` does for one table file — check
//! it, choose the pattern, audit it — or for the run's tables as linked tables (`--linked`), and answers with the
//! protection file and the protected table, the same bytes as the command line writes for the same files, policy
//! and options.

use crate::protocol::{Bytes, FileIn, RolesIn, Said, Sink};
use cellguard_engine::suppress::file::{AuditVerdict, ProtectionFile, SummaryFile, TableFile};
use cellguard_engine::suppress::{self, Cost, Method, Options, Role, Suppression};
use cellguard_engine::{Lang, Policy};
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
    /// Seconds the `optimal` method may search beyond the `fast` pattern (none: until its budget of solver work
    /// is spent).
    pub time_limit: Option<f64>,
    /// The run's table files, the shown one among them, in the run's order, to protect as linked tables (as
    /// `cellguard protect … --linked` does); empty: the shown table alone.
    #[serde(default)]
    pub linked: Vec<LinkedIn>,
}

/// A table of the run protected with the others as linked tables: its place among the run's tables, its file
/// and its column roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedIn {
    pub table: u32,
    pub file: FileIn,
    pub roles: RolesIn,
}

/// What the protect module posts: how far a request is, then its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ProtectMsg {
    Progress { job: u32, done: u32, total: u32 },
    Done(Box<ProtectOut>),
}

/// The answer to a [`ProtectIn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectOut {
    pub job: u32,
    pub result: Result<Protected, Said>,
}

/// A table protected: the pattern in words (made here, in each language: the page's own code carries no
/// protection file's types), and the two files to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protected {
    /// The table's input name.
    pub input: String,
    /// "3 primary and 5 secondary suppressions of 48 cells; suppressed …".
    pub summary: Said,
    /// Whether every primary cell is protected, as the audit found, and the audit's work.
    pub passed: bool,
    pub audit: Said,
    /// The `optimal` method's cost, lower bound and why it stopped.
    pub optimality: Option<Said>,
    /// Per cell of the table (in the order of the check's report): 0 published, 1 primary, 2 secondary.
    #[serde(with = "serde_bytes")]
    pub roles: Vec<u8>,
    /// Each suppressed cell: what its explanation adds (its interval, and for a secondary the primaries it
    /// protects).
    pub suppressed: Vec<Suppressed>,
    /// `cellguard-protection/2` JSON, as `cellguard protect` writes `protection.json`.
    pub protection: Bytes,
    /// The protected table (every suppressed value an `x`, the status column saying `secondary` for the
    /// cells suppressed to protect others), and its file name.
    pub table: Bytes,
    pub table_name: String,
    /// Linked tables: each table's place among the run's tables and its pattern (as `roles`); empty for a table
    /// protected alone.
    #[serde(default)]
    pub linked: Vec<(u32, Vec<u8>)>,
}

/// A suppressed cell as its explanation shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    pub cell: u32,
    pub secondary: bool,
    /// What the audit found the cell's value can be worked out to: its least and its greatest value.
    pub interval: (String, String),
    /// For a secondary, the primary cells it protects: their coordinates and rows.
    pub protects: Vec<String>,
}

/// Protects one table file as `cellguard protect FILE --policy … --method … --cost …` does.
pub fn protect(input: &ProtectIn) -> Result<Protected, Said> {
    protect_with_progress(input, &mut |_, _| {})
}

/// [`protect`], saying how far it is (`done` of `total` steps of the method).
pub fn protect_with_progress(
    input: &ProtectIn,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Protected, Said> {
    let params = match &input.policy_file {
        Some(f) => {
            let text = f.bytes.to_vec().map_err(Said::english)?;
            let text = String::from_utf8_lossy(&text);
            Suppression::from_policy_toml(&text).map_err(|e| Said::engine(&f.name, &e))?
        }
        None => Suppression::default(),
    };
    let check = |file: &FileIn, roles: &RolesIn| -> Result<cellguard_io::check::Checked, Said> {
        let bytes = file.bytes.to_vec().map_err(Said::english)?;
        let roles = crate::session::table_roles(roles);
        Ok(cellguard_io::check_file(
            &file.name,
            &bytes,
            &roles,
            &input.policy,
        )?)
    };
    let options = Options {
        method: input.method,
        cost: input.cost,
        time_limit: input
            .time_limit
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(std::time::Duration::from_secs_f64),
    };
    if input.linked.is_empty() {
        let checked = check(&input.file, &input.roles)?;
        let protection =
            cellguard_io::protect::protect_checked(&checked, &params, options, progress)?;
        let table = TableFile::of_protection(&checked.report, &protection);
        let passed = table.summary.audit == AuditVerdict::Passed;
        let file = ProtectionFile::new(
            &input.policy,
            &params,
            vec![checked.input.clone()],
            vec![table],
        );
        return Ok(shown(&checked, &protection, &file, passed, Vec::new()));
    }
    // Linked tables: all of them protected as one, the protection file of them all, the shown one described.
    let checked = (input.linked.iter())
        .map(|l| check(&l.file, &l.roles))
        .collect::<Result<Vec<_>, Said>>()?;
    let refs: Vec<&cellguard_io::check::Checked> = checked.iter().collect();
    let protections =
        cellguard_io::protect::protect_linked_checked(&refs, &params, options, progress)?;
    let names: Vec<&str> = checked.iter().map(|c| c.input.name.as_str()).collect();
    let tables = cellguard_io::protect::linked_files(&refs, &protections);
    let passed = tables
        .iter()
        .all(|t| t.summary.audit == AuditVerdict::Passed);
    let inputs = checked.iter().map(|c| c.input.clone()).collect();
    let file = ProtectionFile::new(&input.policy, &params, inputs, tables);
    let at = (names.iter())
        .position(|n| *n == input.file.name)
        .ok_or_else(|| {
            Said::english(format!("{}: not among the linked tables", input.file.name))
        })?;
    let (Some(c), Some(p)) = (checked.get(at), protections.get(at)) else {
        return Err(Said::english(
            "the linked tables' protections are missing".into(),
        ));
    };
    let linked = (input.linked.iter().zip(&protections))
        .map(|(l, p)| (l.table, role_bytes(&p.roles)))
        .collect();
    Ok(shown(c, p, &file, passed, linked))
}

/// Per cell: 0 published, 1 primary, 2 secondary.
fn role_bytes(roles: &[Role]) -> Vec<u8> {
    (roles.iter())
        .map(|r| match r {
            Role::Published => 0,
            Role::Primary => 1,
            Role::Secondary => 2,
        })
        .collect()
}

/// The shown table protected, as the panel shows it: its pattern, its suppressed cells' explanations, its
/// summary in words, the protection file `file` and the table as it may be published.
fn shown(
    checked: &cellguard_io::check::Checked,
    protection: &suppress::Protection,
    file: &ProtectionFile,
    passed: bool,
    linked: Vec<(u32, Vec<u8>)>,
) -> Protected {
    let name = &checked.input.name;
    let report = &checked.report;
    let place = |cell: u32| {
        let coords: Vec<String> = (report.coords_of(cell))
            .map(|(d, c)| format!("{d} = {c}"))
            .collect();
        let row = report.cell(cell).map_or(0, |c| c.row);
        format!("{} (row {row})", coords.join(", "))
    };
    let suppressed = (0u32..)
        .zip(&protection.roles)
        .filter(|(_, r)| **r != Role::Published)
        .map(|(cell, r)| {
            let interval = protection.audit.interval(cell).map_or_else(
                || ("—".to_owned(), "—".to_owned()),
                |iv| (cellguard_io::number(iv.min), cellguard_io::number(iv.max)),
            );
            let protects = if *r == Role::Secondary {
                protection
                    .protects(cell)
                    .iter()
                    .map(|&p| place(p))
                    .collect()
            } else {
                Vec::new()
            };
            Suppressed {
                cell,
                secondary: *r == Role::Secondary,
                interval,
                protects,
            }
        })
        .collect();
    let table = TableFile::of_protection(report, protection);
    let s = &table.summary;
    let (summary, audit, optimality) = (
        Said::each(|lang| words::summary(lang, s)),
        Said::each(|lang| words::audit(lang, s)),
        words::optimality(Lang::En, s)
            .map(|_| Said::each(|lang| words::optimality(lang, s).unwrap_or_default())),
    );
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    let stem = stem.rsplit('/').next().unwrap_or(stem);
    Protected {
        input: name.clone(),
        summary,
        passed,
        audit,
        optimality,
        roles: role_bytes(&protection.roles),
        suppressed,
        protection: Sink::whole(&file.to_json(), "application/json"),
        table: Sink::whole(
            &cellguard_io::protect::protected_csv(checked, protection),
            "text/csv",
        ),
        table_name: format!("{stem}.protected.csv"),
        linked,
    }
}

/// The pattern in words, in each language.
mod words {
    use super::{AuditVerdict, Lang, SummaryFile};
    use cellguard_engine::suppress::optimal::Stop;

    /// A word of the protect panel's results in `lang`.
    fn w(lang: Lang, key: &str) -> &'static str {
        const WORDS: &[(&str, &str, &str, &str)] = &[
            (
                "summary",
                "{primaries} primary and {secondaries} secondary suppressions of {cells} cells; suppressed {value} ({percent} % of the table's figures)",
                "{primaries} primaire en {secondaries} secundaire onderdrukkingen van {cells} cellen; onderdrukt: {value} ({percent} % van de cijfers van de tabel)",
                "{primaries} suppressions primaires et {secondaries} secondaires sur {cells} cellules ; supprimé : {value} ({percent} % des chiffres du tableau)",
            ),
            (
                "passed",
                "Audit passed: every primary cell is protected",
                "Audit geslaagd: elke primaire cel is beschermd",
                "Audit réussi : chaque cellule primaire est protégée",
            ),
            (
                "failed",
                "Audit failed: {short} primary cells are not protected",
                "Audit mislukt: {short} primaire cellen zijn niet beschermd",
                "Audit échoué : {short} cellules primaires ne sont pas protégées",
            ),
            (
                "work",
                "{components} components, {programs} linear programs",
                "{components} componenten, {programs} lineaire programma's",
                "{components} composantes, {programs} programmes linéaires",
            ),
            ("cost", "Cost", "Kost", "Coût"),
            (
                "bound",
                "lower bound {bound} (gap {gap} %)",
                "ondergrens {bound} (verschil {gap} %)",
                "borne inférieure {bound} (écart {gap} %)",
            ),
            (
                "no_bound",
                "no lower bound",
                "geen ondergrens",
                "pas de borne inférieure",
            ),
            (
                "proven",
                "proven optimal",
                "bewezen optimaal",
                "optimalité prouvée",
            ),
            (
                "budget",
                "its budget of solver work spent",
                "zijn budget aan rekenwerk is op",
                "son budget de calcul est épuisé",
            ),
            (
                "time",
                "stopped at the time limit",
                "gestopt bij de tijdslimiet",
                "arrêté à la limite de temps",
            ),
            (
                "unprotected",
                "not started: the fast pattern leaves primary cells short",
                "niet gestart: het snelle patroon laat primaire cellen onbeschermd",
                "pas lancé : le masque rapide laisse des cellules primaires non protégées",
            ),
        ];
        WORDS
            .iter()
            .find(|(k, ..)| *k == key)
            .map_or("", |(_, en, nl, fr)| match lang {
                Lang::En => en,
                Lang::Nl => nl,
                Lang::Fr => fr,
            })
    }

    /// A number as the page shows it in `lang`.
    fn num(lang: Lang, x: f64) -> String {
        crate::i18n::number(lang, &cellguard_io::number(x))
    }

    pub fn summary(lang: Lang, s: &SummaryFile) -> String {
        w(lang, "summary")
            .replace("{primaries}", &s.primaries.to_string())
            .replace("{secondaries}", &s.secondaries.to_string())
            .replace("{cells}", &s.cells.to_string())
            .replace("{value}", &num(lang, s.suppressed_value))
            .replace(
                "{percent}",
                &crate::i18n::number(lang, &format!("{:.2}", s.suppressed_percent)),
            )
    }

    pub fn audit(lang: Lang, s: &SummaryFile) -> String {
        let verdict = match s.audit {
            AuditVerdict::Passed => w(lang, "passed").to_owned(),
            AuditVerdict::Failed => w(lang, "failed").replace("{short}", &s.short.to_string()),
        };
        let work = w(lang, "work")
            .replace("{components}", &s.components.to_string())
            .replace("{programs}", &s.programs.to_string());
        format!("{verdict} ({work})")
    }

    pub fn optimality(lang: Lang, s: &SummaryFile) -> Option<String> {
        let o = s.optimality.as_ref()?;
        let cost = s.cost_total?;
        let stop = match o.stop {
            Stop::Proven => "proven",
            Stop::Budget => "budget",
            Stop::TimeLimit => "time",
            Stop::Unprotected => "unprotected",
        };
        let bound = o.lower_bound.map_or_else(
            || w(lang, "no_bound").to_owned(),
            |b| {
                let gap = if cost > 0.0 {
                    100.0 * (cost - b) / cost
                } else {
                    0.0
                };
                w(lang, "bound")
                    .replace("{bound}", &num(lang, b))
                    .replace("{gap}", &crate::i18n::number(lang, &format!("{gap:.2}")))
            },
        );
        Some(format!(
            "{} {}, {bound}: {}",
            w(lang, "cost"),
            num(lang, cost),
            w(lang, stop)
        ))
    }
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
            time_limit: None,
            linked: Vec::new(),
        }
    }

    #[test]
    fn the_page_protects_a_table_as_the_command_line_does() {
        let p = protect(&asked(Method::Fast)).unwrap();
        assert_eq!(
            String::from_utf8(p.protection.to_vec().unwrap()).unwrap(),
            String::from_utf8(FAST.to_vec()).unwrap()
        );
        assert!(p.passed && p.optimality.is_none());
        assert!(
            p.summary.en.contains(" secondary suppressions of "),
            "{}",
            p.summary.en
        );
        assert!(
            p.summary
                .in_lang(Lang::Nl)
                .contains(" secundaire onderdrukkingen van ")
        );
        assert!(p.audit.in_lang(Lang::Fr).starts_with("Audit réussi"));
        // The pattern per cell, and what each suppressed cell's explanation adds, as in the protection file.
        let file: serde_json::Value = serde_json::from_slice(FAST).unwrap();
        let cells = file["tables"][0]["cells"].as_array().unwrap();
        assert_eq!(p.suppressed.len(), cells.len());
        assert_eq!(p.roles.iter().filter(|r| **r != 0).count(), cells.len());
        let secondary = p.suppressed.iter().find(|c| c.secondary).unwrap();
        assert_eq!(p.roles[secondary.cell as usize], 2);
        assert!(!secondary.protects.is_empty() && secondary.protects[0].contains("(row "));
        assert_eq!(p.table_name, "protect_counts.protected.csv");
        let csv = String::from_utf8(p.table.to_vec().unwrap()).unwrap();
        assert!(csv.contains(",secondary"), "{csv}");
    }

    #[test]
    fn the_optimal_method_says_its_cost_and_lower_bound() {
        let p = protect(&asked(Method::Optimal)).unwrap();
        let o = p.optimality.unwrap();
        assert!(
            o.en.starts_with("Cost ") && o.en.contains("lower bound"),
            "{}",
            o.en
        );
        assert!(o.in_lang(Lang::Nl).starts_with("Kost "));
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

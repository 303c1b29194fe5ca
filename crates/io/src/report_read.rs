//! Reading a saved cellguard report (JSON) back into the engine's [`Report`], so the page can show a report made
//! elsewhere — for example by the CLI in the secure room — cell by cell. A saved report is never trusted: each
//! finding's status is held to its rule under the report's policy, each cell's status to its findings, and the
//! counts to the cells ([`cellguard_engine::rules::verdict`]); a disagreement is an error naming the table, the
//! row and what is wrong. A report of another schema, or whose parts do not fit together, is an error saying
//! where.

use crate::Error;
use cellguard_engine::report::Summary;
use cellguard_engine::report::json::{ReadCell, ReadReport, TableFile};
use cellguard_engine::rules::verdict;
use cellguard_engine::{Finding, Parts, Policy, Report, RuleCode, Status, TableReport};
use std::collections::HashMap;

fn bad(file: &str, message: impl Into<String>) -> Error {
    Error::Format {
        file: file.to_owned(),
        format: "cellguard report JSON",
        message: message.into(),
    }
}

/// True when the bytes look like a cellguard report (JSON with the report schema).
pub fn is_report(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(200)).unwrap_or(bytes);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && head.windows(16).any(|w| w == b"cellguard-report")
}

/// The schema a report names, read on its own (a report of another schema may have another shape).
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    schema: std::borrow::Cow<'a, str>,
}

/// An error unless `schema` is the one this version reads.
fn schema_is_ours(file: &str, schema: &str) -> Result<(), Error> {
    if schema == cellguard_engine::REPORT_SCHEMA {
        return Ok(());
    }
    let why = if schema == "cellguard-report/1" {
        // Reports of the first schema were checked by rules that have changed since (exact boundaries,
        // contributors, sampling weights): their verdicts are not this version's to vouch for.
        "; it was written by an earlier cellguard whose rules have changed: check its tables again"
    } else {
        ""
    };
    Err(bad(
        file,
        format!(
            "schema `{schema}`; this version reads `{}`{why}",
            cellguard_engine::REPORT_SCHEMA
        ),
    ))
}

/// A JSON error with its place first: "line 3, column 7: missing field `row`".
fn json_error(file: &str, e: &serde_json::Error) -> Error {
    let text = e.to_string();
    let place = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&place).unwrap_or(&text);
    bad(
        file,
        format!("line {}, column {}: {what}", e.line(), e.column()),
    )
}

/// Parses a saved report into the report file's own types ([`ReadReport`]) and verifies it.
pub fn read_report(file: &str, bytes: &[u8]) -> Result<Report, Error> {
    let read: ReadReport = match serde_json::from_slice(bytes) {
        Ok(read) => read,
        Err(e) => {
            // A report of another schema says so, whatever else does not parse.
            if let Ok(head) = serde_json::from_slice::<Head>(bytes) {
                schema_is_ours(file, &head.schema)?;
            }
            return Err(json_error(file, &e));
        }
    };
    schema_is_ours(file, &read.schema)?;
    let policy = read.policy.into_owned();
    policy
        .validate()
        .map_err(|e| bad(file, format!("policy: {e}")))?;
    let mut tables = Vec::with_capacity(read.tables.len());
    for (t, tf) in read.tables.into_iter().enumerate() {
        tables.push(table(file, t, tf, &policy, read.only_not_safe)?);
    }
    let report = Report {
        policy,
        policy_sha256: read.policy_sha256.map(|h| h.into_owned()),
        inputs: read.inputs.into_owned(),
        tables,
        failed: read.failed.into_owned(),
    };
    if let Some(problem) = differ(&read.summary, &report.summary(), "its tables") {
        return Err(edited(file, None, None, problem));
    }
    Ok(report)
}

fn edited(file: &str, table: Option<&str>, row: Option<u64>, problem: String) -> Error {
    Error::Edited {
        file: file.to_owned(),
        table: table.map(str::to_owned),
        row,
        problem,
    }
}

/// How the counts a summary claims differ from the counts `whose` (its cells, its tables) give, if they do.
fn differ(claimed: &Summary, actual: &Summary, whose: &str) -> Option<String> {
    let count = |what: String, said: u64, is: u64| {
        (said != is).then(|| format!("counts {what}: {said} in its summary, {is} in {whose}"))
    };
    let statuses = [Status::Safe, Status::Review, Status::Unsafe].map(|s| {
        count(
            format!("{} cells", s.as_str()),
            claimed.count(s),
            actual.count(s),
        )
    });
    let rules = RuleCode::ALL.map(|r| {
        let of = |s: &Summary| s.by_rule.get(r.as_str()).copied().unwrap_or(0);
        count(
            format!("cells with a `{}` finding", r.as_str()),
            of(claimed),
            of(actual),
        )
    });
    count("cells".to_owned(), claimed.cells, actual.cells)
        .into_iter()
        .chain(statuses.into_iter().flatten())
        .chain(rules.into_iter().flatten())
        .next()
}

/// How the counts of a compact report's table differ from what its listed cells (`listed`, the cells that are
/// not safe) allow, if they do: the cells that are not safe are all listed, so their counts must be equal; the
/// safe cells are not listed, so the summary's counts must add up and hold at least the listed cells' findings.
fn differ_compact(claimed: &Summary, listed: &Summary) -> Option<String> {
    let shown = |s: Status| format!("{} cells", s.as_str());
    if listed.count(Status::Safe) > 0 {
        return Some(
            "lists a safe cell, in a report that lists only the cells that are not safe".to_owned(),
        );
    }
    for s in [Status::Review, Status::Unsafe] {
        let (said, is) = (claimed.count(s), listed.count(s));
        if said != is {
            return Some(format!(
                "counts {}: {said} in its summary, {is} listed",
                shown(s)
            ));
        }
    }
    let by_status: u64 = [Status::Safe, Status::Review, Status::Unsafe]
        .iter()
        .map(|&s| claimed.count(s))
        .sum();
    if by_status != claimed.cells {
        return Some(format!(
            "counts {} cells in its summary, and {by_status} by status",
            claimed.cells
        ));
    }
    RuleCode::ALL.iter().find_map(|r| {
        let of = |s: &Summary| s.by_rule.get(r.as_str()).copied().unwrap_or(0);
        (of(claimed) < of(listed)).then(|| {
            format!(
                "counts {} cells with a `{}` finding in its summary, fewer than the {} listed",
                of(claimed),
                r.as_str(),
                of(listed)
            )
        })
    })
}

/// Holds a table read from a report to the rules: its rows are distinct, each finding has the status its rule
/// gives under `policy`, each cell the status its findings give, and its summary the counts of its cells (of
/// a compact report, `only_not_safe`: see [`differ_compact`]).
fn verify(
    file: &str,
    policy: &Policy,
    claimed: &Summary,
    t: &TableReport,
    only_not_safe: bool,
) -> Result<(), Error> {
    let edited = |row, problem| edited(file, Some(&t.name), row, problem);
    let mut rows: Vec<u64> = t.cells().map(|c| c.row).collect();
    if !rows.is_sorted() {
        rows.sort_unstable();
    }
    if let Some(row) = rows
        .windows(2)
        .find_map(|w| matches!(w, [a, b] if a == b).then(|| w.first().copied()))
        .flatten()
    {
        return Err(edited(
            Some(row),
            "appears twice; a report lists each source row once".to_owned(),
        ));
    }
    for c in t.cells() {
        for f in c.findings {
            let rule = f.rule.as_str();
            if !verdict::fits(f) {
                let kind = serde_json::to_value(f.values)
                    .ok()
                    .and_then(|v| {
                        v.get("kind")
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                return Err(edited(
                    Some(c.row),
                    format!(
                        "has a `{rule}` finding with `{kind}` values, which that rule never writes"
                    ),
                ));
            }
            let want = verdict::expected_status(f, policy);
            if f.status != want {
                return Err(edited(
                    Some(c.row),
                    format!(
                        "has a `{rule}` finding that says {}; under policy `{}` that rule makes it {}",
                        f.status.as_str(),
                        policy.name,
                        want.as_str()
                    ),
                ));
            }
        }
        let want = verdict::cell_status(c.findings);
        if c.status != want {
            return Err(edited(
                Some(c.row),
                format!(
                    "says {}, its findings say {}",
                    c.status.as_str(),
                    want.as_str()
                ),
            ));
        }
    }
    let problem = if only_not_safe {
        differ_compact(claimed, &t.summary)
    } else {
        differ(claimed, &t.summary, "its cells")
    };
    match problem {
        Some(problem) => Err(edited(None, problem)),
        None => Ok(()),
    }
}

/// Table `t` of a report file as a table report, verified.
fn table(
    file: &str,
    t: usize,
    tf: TableFile<'static, Vec<ReadCell>>,
    policy: &Policy,
    only_not_safe: bool,
) -> Result<TableReport, Error> {
    let at = format!("tables[{t}]");
    let dimensions = tf.dimensions.into_owned();
    // Per dimension, its codes' ids.
    let mut index: Vec<(&str, HashMap<&str, u32>)> = Vec::with_capacity(dimensions.len());
    for d in &dimensions {
        if index.iter().any(|(name, _)| *name == d.name) {
            return Err(bad(
                file,
                format!("{at}: the dimension `{}` appears twice", d.name),
            ));
        }
        let mut ids = HashMap::with_capacity(d.codes.len());
        for (i, c) in (0u32..).zip(&d.codes) {
            if ids.insert(c.as_str(), i).is_some() {
                return Err(bad(
                    file,
                    format!("{at}: `{c}` appears twice among the codes of `{}`", d.name),
                ));
            }
        }
        index.push((&d.name, ids));
    }
    let cells = tf.cells;
    let mut parts = Parts {
        coords: Vec::with_capacity(cells.len() * index.len()),
        rows: Vec::with_capacity(cells.len()),
        status: Vec::with_capacity(cells.len()),
        offsets: Vec::with_capacity(cells.len() + 1),
        ..Parts::default()
    };
    parts.offsets.push(0);
    for (c, cell) in cells.into_iter().enumerate() {
        // Made only for an error: a million cells need no million names.
        let here = || format!("{at}.cells[{c}]");
        for (name, ids) in &index {
            let code = cell
                .coords
                .get(*name)
                .ok_or_else(|| bad(file, format!("{}: no code for dimension `{name}`", here())))?;
            let id = ids.get(code.as_str()).ok_or_else(|| {
                bad(
                    file,
                    format!("{}: `{code}` is not a code of `{name}`", here()),
                )
            })?;
            parts.coords.push(*id);
        }
        // Every dimension has its code, and the names are distinct: any other key is no dimension's.
        if cell.coords.len() != index.len() {
            if let Some(extra) = cell
                .coords
                .keys()
                .find(|k| !index.iter().any(|(name, _)| name == k))
            {
                return Err(bad(
                    file,
                    format!("{}: `{extra}` is not a dimension of the table", here()),
                ));
            }
        }
        parts.rows.push(cell.row);
        parts.status.push(cell.status);
        for f in cell.findings {
            let values = f
                .values
                .resolve(&dimensions)
                .map_err(|e| bad(file, format!("{}.findings: {e}", here())))?;
            parts.findings.push(Finding {
                rule: f.rule,
                status: f.status,
                values,
            });
        }
        parts.offsets.push(parts.findings.len() as u32);
    }
    parts.name = tf.name.into_owned();
    parts.input = tf.input.into_owned();
    parts.rules = tf.rules.into_owned();
    parts.dimensions = dimensions;
    let mut read =
        TableReport::from_parts(parts).map_err(|(p, _)| bad(file, format!("{at}: {p}")))?;
    verify(file, policy, &tf.summary, &read, only_not_safe)?;
    if only_not_safe {
        // The table holds the cells that are not safe; its counts are of every cell, as the report says.
        read.summary = tf.summary.into_owned();
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_saved_report_reads_back_to_the_same_bytes() {
        let golden = include_bytes!("../../../tests/golden/table_semicolon.essnet.json");
        assert!(is_report(golden));
        let r = read_report("r.json", golden).unwrap();
        assert_eq!(
            String::from_utf8(r.to_json()).unwrap(),
            String::from_utf8(golden.to_vec()).unwrap()
        );
    }

    /// A compact report (only the cells that are not safe) reads back with the full report's counts; an edit of
    /// its cells or counts is found.
    #[test]
    fn a_compact_report_reads_back_and_its_edits_are_found() {
        let golden = include_bytes!("../../../tests/golden/table_semicolon.essnet.json");
        let full = read_report("r.json", golden).unwrap();
        let mut bytes = Vec::new();
        full.write_json_compact(&mut bytes).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"only_not_safe\": true") && !text.contains("\"status\": \"safe\""));
        let compact = read_report("c.json", &bytes).unwrap();
        assert_eq!(compact.summary(), full.summary());
        assert!(compact.tables[0].len() < full.tables[0].len());
        assert_eq!(
            compact.to_json(),
            bytes,
            "written again as a compact report"
        );
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut j = json.clone();
            f(&mut j);
            read_report("c.json", &serde_json::to_vec(&j).unwrap())
                .unwrap_err()
                .to_string()
        };
        // A cell that is not safe taken out: the counts say so.
        let e = edit(&|j| {
            j["tables"][0]["cells"].as_array_mut().unwrap().pop();
        });
        assert!(
            e.contains("this report was edited") && e.contains("listed"),
            "{e}"
        );
        // A safe count that no longer adds up.
        let e = edit(&|j| {
            let safe = j["tables"][0]["summary"]["by_status"]["safe"]
                .as_u64()
                .unwrap();
            j["tables"][0]["summary"]["by_status"]["safe"] = (safe + 1).into();
        });
        assert!(e.contains("by status"), "{e}");
        // A full report's cells taken out without saying it is compact.
        let mut short: Value = serde_json::from_slice(golden).unwrap();
        short["tables"][0]["cells"] = json["tables"][0]["cells"].clone();
        let e = read_report("s.json", &serde_json::to_vec(&short).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("this report was edited"), "{e}");
    }

    #[test]
    fn broken_reports_say_what_and_where() {
        let golden = String::from_utf8(
            include_bytes!("../../../tests/golden/table_semicolon.essnet.json").to_vec(),
        )
        .unwrap();
        let e = read_report("r.json", b"{ not json")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("r.json: cannot read cellguard report JSON: line 1"),
            "{e}"
        );
        let other = golden.replace("cellguard-report/2", "cellguard-report/9");
        assert!(
            read_report("r.json", other.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("schema `cellguard-report/9`")
        );
        let wrong_code = golden.replacen("\"region\": \"BXL\"", "\"region\": \"XX\"", 1);
        let e = read_report("r.json", wrong_code.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tables[0].cells[0]: `XX` is not a code of `region`"),
            "{e}"
        );
        assert!(!is_report(b"a,b\n1,2\n"));
    }

    const GOLDEN: &[u8] = include_bytes!("../../../tests/golden/table_semicolon.essnet.json");

    /// Reads the golden report (essnet; rows 4, 6 and 10 unsafe: one threshold and two dominance findings)
    /// after `edit`; `expected` is the error without the file's name and, for an edited report, the advice that
    /// ends it.
    fn check(edit: impl FnOnce(&mut Value), expected: &str) {
        let mut v: Value = serde_json::from_slice(GOLDEN).unwrap();
        edit(&mut v);
        message(&serde_json::to_vec_pretty(&v).unwrap(), expected);
    }

    /// Reads the golden report with the first `from` in its text replaced by `to` (the golden file's lines are
    /// the error's).
    fn check_text(from: &str, to: &str, expected: &str) {
        let text = std::str::from_utf8(GOLDEN).unwrap();
        assert!(text.contains(from), "{from}");
        message(text.replacen(from, to, 1).as_bytes(), expected);
    }

    fn message(bytes: &[u8], expected: &str) {
        let e = read_report("r.json", bytes).unwrap_err().to_string();
        let e = e.strip_prefix("r.json: ").unwrap_or(&e);
        let e = e
            .strip_suffix("; check the original inputs again rather than trust this file")
            .unwrap_or(e);
        assert_eq!(e, expected);
    }

    fn cells(v: &mut Value) -> &mut Value {
        &mut v["tables"][0]["cells"]
    }

    #[test]
    fn an_edited_report_says_where_and_what() {
        use serde_json::json;
        let at = "this report was edited: table `table_semicolon.csv`";
        check(
            |v| cells(v)[2]["status"] = json!("safe"),
            &format!("{at}, row 4 says safe, its findings say unsafe"),
        );
        check(
            |v| cells(v)[0]["status"] = json!("review"),
            &format!("{at}, row 2 says review, its findings say safe"),
        );
        check(
            |v| cells(v)[2]["findings"][0]["status"] = json!("safe"),
            &format!(
                "{at}, row 4 has a `threshold` finding that says safe; under policy `essnet` that rule makes it unsafe"
            ),
        );
        // A sampling zero is for review under essnet, whatever the finding says.
        check(
            |v| {
                cells(v)[0]["status"] = json!("unsafe");
                cells(v)[0]["findings"] = json!([{
                    "rule": "zero",
                    "status": "unsafe",
                    "detail": "0 units",
                    "values": { "kind": "sampling-zero" }
                }]);
            },
            &format!(
                "{at}, row 2 has a `zero` finding that says unsafe; under policy `essnet` that rule makes it review"
            ),
        );
        check(
            |v| cells(v)[4]["findings"] = json!([]),
            &format!("{at}, row 6 says unsafe, its findings say safe"),
        );
        // A declared status overrides the rules: the cell follows it.
        check(
            |v| {
                let declared = json!({
                    "rule": "apriori",
                    "status": "safe",
                    "detail": "declared safe",
                    "values": { "kind": "declared-safe" }
                });
                cells(v)[4]["findings"]
                    .as_array_mut()
                    .unwrap()
                    .push(declared);
            },
            &format!("{at}, row 6 says unsafe, its findings say safe"),
        );
        check(
            |v| cells(v)[2]["findings"][0]["rule"] = json!("zero"),
            &format!(
                "{at}, row 4 has a `zero` finding with `threshold` values, which that rule never writes"
            ),
        );
        check(
            |v| cells(v)[5]["row"] = json!(6),
            &format!("{at}, row 6 appears twice; a report lists each source row once"),
        );
        check(
            |v| v["tables"][0]["summary"]["by_status"]["unsafe"] = json!(2),
            &format!("{at} counts unsafe cells: 2 in its summary, 3 in its cells"),
        );
        check(
            |v| v["tables"][0]["summary"]["by_rule"]["zero"] = json!(1),
            &format!("{at} counts cells with a `zero` finding: 1 in its summary, 0 in its cells"),
        );
        check(
            |v| v["tables"][0]["summary"]["cells"] = json!(13),
            &format!("{at} counts cells: 13 in its summary, 12 in its cells"),
        );
        check(
            |v| v["summary"]["by_rule"]["dominance"] = json!(1),
            "this report was edited: the report counts cells with a `dominance` finding: 1 in its summary, 2 in its tables",
        );
        check(
            |v| v["summary"]["by_status"]["safe"] = json!(12),
            "this report was edited: the report counts safe cells: 12 in its summary, 9 in its tables",
        );
    }

    #[test]
    fn a_report_holds_known_names_and_only_the_report_keys() {
        let json = "cannot read cellguard report JSON";
        check_text(
            "\"status\": \"safe\"",
            "\"status\": \"fine\"",
            &format!(
                "{json}: line 152, column 26: unknown variant `fine`, expected one of `safe`, `review`, `unsafe`"
            ),
        );
        check_text(
            "\"threshold\": 1",
            "\"thresh\": 1",
            &format!(
                "{json}: line 56, column 14: unknown variant `thresh`, expected one of `threshold`, `dominance`, `p-percent`, `pq`, `class-disclosure`, `zero`, `negative`, `missing`, `dof`, `additivity`, `apriori`, `consistency`"
            ),
        );
        check_text(
            "\"use\": \"off\"",
            "\"use\": \"skipped\"",
            &format!(
                "{json}: line 96, column 9: unknown variant `skipped`, expected one of `applied`, `partly-applied`, `off`, `not-applicable`"
            ),
        );
        check_text(
            "\"row\": 2,",
            "\"row\": 2, \"note\": \"fine\",",
            &format!(
                "{json}: line 151, column 26: unknown field `note`, expected one of `coords`, `row`, `status`, `findings`"
            ),
        );
        check_text(
            "\"region\": \"BXL\"",
            "\"region\": \"BXL\", \"year\": \"2024\"",
            &format!("{json}: tables[0].cells[0]: `year` is not a dimension of the table"),
        );
        check_text(
            "\"VL\",",
            "\"BXL\",",
            &format!("{json}: tables[0]: `BXL` appears twice among the codes of `region`"),
        );
        check_text(
            "\"name\": \"region\"",
            "\"name\": \"sex\"",
            &format!("{json}: tables[0]: the dimension `sex` appears twice"),
        );
    }
}

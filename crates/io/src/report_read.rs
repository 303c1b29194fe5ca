//! Reading a saved cellguard report (JSON) back into the engine's [`Report`], so the page can show a report made
//! elsewhere — for example by the CLI in the secure room — cell by cell. A saved report is never trusted: each
//! finding's status is held to its rule under the report's policy, each cell's status to its findings, and the
//! counts to the cells ([`cellguard_engine::rules::verdict`]); a disagreement is an error naming the table, the
//! row and what is wrong. A report of another schema, or whose parts do not fit together, is an error saying
//! where.

use crate::Error;
use cellguard_engine::report::{DimensionSummary, RuleUse, Summary};
use cellguard_engine::rules::{NamedDetail, verdict};
use cellguard_engine::{
    Finding, InputRecord, Parts, Policy, Report, RuleCode, Status, TableReport,
};
use serde_json::Value;
use std::collections::HashMap;

/// A finding as the JSON report writes it: its `values` name the dimension (the text `detail` is made again from
/// them, not read).
#[derive(serde::Deserialize)]
struct FindingJson {
    rule: RuleCode,
    status: Status,
    values: NamedDetail<'static>,
}

fn bad(file: &str, message: impl Into<String>) -> Error {
    Error::Format {
        file: file.to_owned(),
        format: "cellguard report JSON",
        message: message.into(),
    }
}

fn text<'a>(v: &'a Value, key: &str, file: &str, at: &str) -> Result<&'a str, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(file, format!("{at}: `{key}` is missing or not text")))
}

/// True when the bytes look like a cellguard report (JSON with the report schema).
pub fn is_report(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(200)).unwrap_or(bytes);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && head.windows(16).any(|w| w == b"cellguard-report")
}

/// Parses a saved report.
pub fn read_report(file: &str, bytes: &[u8]) -> Result<Report, Error> {
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| bad(file, format!("line {}: {e}", e.line())))?;
    let schema = text(&v, "schema", file, "the report")?;
    if schema != cellguard_engine::REPORT_SCHEMA {
        return Err(bad(
            file,
            format!(
                "schema `{schema}`; this version reads `{}`",
                cellguard_engine::REPORT_SCHEMA
            ),
        ));
    }
    let policy: Policy = serde_json::from_value(v.get("policy").cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(file, format!("policy: {e}")))?;
    let policy_sha256 = v
        .get("policy_sha256")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut inputs = Vec::new();
    for (i, x) in v
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("inputs[{i}]");
        inputs.push(InputRecord {
            name: text(x, "name", file, &at)?.to_owned(),
            sha256: text(x, "sha256", file, &at)?.to_owned(),
            bytes: x.get("bytes").and_then(Value::as_u64).unwrap_or(0),
        });
    }
    let mut tables = Vec::new();
    for (t, tv) in v
        .get("tables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        tables.push(table(file, t, tv, &policy)?);
    }
    let report = Report {
        policy,
        policy_sha256,
        inputs,
        tables,
    };
    let claimed = summary(file, &v, "summary")?;
    if let Some(problem) = differ(&claimed, &report.summary(), "its tables") {
        return Err(edited(file, None, None, problem));
    }
    Ok(report)
}

/// The counts a report or table claims in its `summary`.
fn summary(file: &str, v: &Value, at: &str) -> Result<Summary, Error> {
    serde_json::from_value(v.get("summary").cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(file, format!("{at}: {e}")))
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

/// Holds a table read from a report to the rules: its rows are distinct, each finding has the status its rule
/// gives under `policy`, each cell the status its findings give, and its summary the counts of its cells.
fn verify(file: &str, policy: &Policy, claimed: &Summary, t: &TableReport) -> Result<(), Error> {
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
                    .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_owned))
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
    match differ(claimed, &t.summary, "its cells") {
        Some(problem) => Err(edited(None, problem)),
        None => Ok(()),
    }
}

fn table(file: &str, t: usize, tv: &Value, policy: &Policy) -> Result<TableReport, Error> {
    let at = format!("tables[{t}]");
    let mut dimensions = Vec::new();
    let mut index: Vec<(String, HashMap<&str, u32>)> = Vec::new();
    for d in tv
        .get("dimensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = text(d, "name", file, &at)?.to_owned();
        let codes: Vec<String> = d
            .get("codes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let ids = d
            .get("codes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .enumerate()
            .map(|(i, c)| (c, i as u32))
            .collect();
        index.push((name.clone(), ids));
        dimensions.push(DimensionSummary {
            name,
            total: d.get("total").and_then(Value::as_str).map(str::to_owned),
            codes,
        });
    }
    let mut rules = Vec::new();
    for r in tv
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let rule = serde_json::from_value(r.get("rule").cloned().unwrap_or(Value::Null))
            .map_err(|e| bad(file, format!("{at}.rules: {e}")))?;
        let how = match text(r, "use", file, &at)? {
            "applied" => "applied",
            "off" => "off",
            "not-applicable" => "not-applicable",
            other => return Err(bad(file, format!("{at}.rules: unknown use `{other}`"))),
        };
        let reason = r
            .get("reason")
            .and_then(Value::as_str)
            .map(|s| s.to_owned().into());
        rules.push(RuleUse { rule, how, reason });
    }
    let cells = tv
        .get("cells")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut parts = Parts {
        name: text(tv, "name", file, &at)?.to_owned(),
        input: text(tv, "input", file, &at)?.to_owned(),
        rules,
        coords: Vec::with_capacity(cells.len() * index.len()),
        rows: Vec::with_capacity(cells.len()),
        status: Vec::with_capacity(cells.len()),
        offsets: vec![0],
        ..Parts::default()
    };
    for (c, cell) in cells.iter().enumerate() {
        let here = format!("{at}.cells[{c}]");
        for (name, ids) in &index {
            let code = cell
                .get("coords")
                .and_then(|m| m.get(name))
                .and_then(Value::as_str)
                .ok_or_else(|| bad(file, format!("{here}: no code for dimension `{name}`")))?;
            let id = ids
                .get(code)
                .ok_or_else(|| bad(file, format!("{here}: `{code}` is not a code of `{name}`")))?;
            parts.coords.push(*id);
        }
        parts
            .rows
            .push(cell.get("row").and_then(Value::as_u64).unwrap_or(0));
        let status: Status =
            serde_json::from_value(cell.get("status").cloned().unwrap_or(Value::Null))
                .map_err(|e| bad(file, format!("{here}.status: {e}")))?;
        parts.status.push(status);
        for f in cell
            .get("findings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let read: FindingJson = serde_json::from_value(f.clone())
                .map_err(|e| bad(file, format!("{here}.findings: {e}")))?;
            let values = read
                .values
                .resolve(&dimensions)
                .map_err(|e| bad(file, format!("{here}.findings: {e}")))?;
            parts.findings.push(Finding {
                rule: read.rule,
                status: read.status,
                values,
            });
        }
        parts.offsets.push(parts.findings.len() as u32);
    }
    parts.dimensions = dimensions;
    let claimed = summary(file, tv, &format!("{at}.summary"))?;
    let read = TableReport::from_parts(parts).map_err(|(p, _)| bad(file, format!("{at}: {p}")))?;
    verify(file, policy, &claimed, &read)?;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let other = golden.replace("cellguard-report/1", "cellguard-report/9");
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
        let bytes = serde_json::to_vec_pretty(&v).unwrap();
        let e = read_report("r.json", &bytes).unwrap_err().to_string();
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
        // Statuses and rules are the known ones.
        check(
            |v| cells(v)[0]["status"] = json!("fine"),
            "cannot read cellguard report JSON: tables[0].cells[0].status: unknown variant `fine`, expected one of `safe`, `review`, `unsafe`",
        );
        check(
            |v| v["summary"]["by_rule"]["thresh"] = json!(1),
            "cannot read cellguard report JSON: summary: unknown variant `thresh`, expected one of `threshold`, `dominance`, `p-percent`, `pq`, `class-disclosure`, `zero`, `negative`, `missing`, `dof`, `additivity`, `apriori`",
        );
    }
}

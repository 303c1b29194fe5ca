//! Reading a saved cellguard report (JSON) back into the engine's [`Report`], so the page can show a report made
//! elsewhere — for example by the CLI in the secure room — cell by cell. The counts are recomputed from the cells,
//! never trusted; a report of another schema, or whose parts do not fit together, is an error saying where.

use crate::Error;
use cellguard_engine::report::{DimensionSummary, RuleUse};
use cellguard_engine::rules::NamedDetail;
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
        tables.push(table(file, t, tv)?);
    }
    Ok(Report {
        policy,
        policy_sha256,
        inputs,
        tables,
    })
}

fn table(file: &str, t: usize, tv: &Value) -> Result<TableReport, Error> {
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
            "partly-applied" => "partly-applied",
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
    TableReport::from_parts(parts).map_err(|(p, _)| bad(file, format!("{at}: {p}")))
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
}

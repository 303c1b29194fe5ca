//! Reports validate against the JSON Schema in `schema/report.schema.json`, and the schema rejects a broken one.

use crate::{check_file, root};

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn reports_validate_against_the_schema() {
    let v = validator();
    let corpus = root().join("tests/corpus");
    let cases = [
        ("good/table.parquet", "acro"),
        ("good/table_semicolon.csv", "essnet"),
        ("good/table.xlsx", "sdctable"),
        ("bad/negative_value.csv", "essnet"),
        ("bad/nan_value.csv", "acro"),
        ("bad/totals_do_not_add_up.csv", "essnet"),
    ];
    for (file, policy) in cases {
        let json: serde_json::Value =
            serde_json::from_slice(&check_file(&corpus.join(file), policy).unwrap().to_json())
                .unwrap();
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn the_schema_rejects_a_report_without_findings_rules() {
    let v = validator();
    let mut json: serde_json::Value = serde_json::from_slice(
        &check_file(&root().join("tests/corpus/good/table.arrow"), "acro")
            .unwrap()
            .to_json(),
    )
    .unwrap();
    json["tables"][0]["cells"][0]["status"] = serde_json::json!("fine");
    assert!(!v.is_valid(&json));
}

//! Reports validate against the JSON Schema in `schema/report.schema.json`, the schema rejects a broken one, and
//! the schema's keys are the fields of the report file's types (`cellguard_engine::report::json`), so the two
//! cannot drift apart.

use crate::{check_file, root};
use cellguard_engine::policy::{self, Action, Policy};
use cellguard_engine::report::json::{FindingFile, ReadCell, ReadReport, TableFile, Tool};
use cellguard_engine::report::{DimensionSummary, RuleUse, Summary};
use cellguard_engine::{FailedInput, InputRecord, Report, RuleCode, check_table, random_table};
use serde_json::Value;

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

/// The policies the random reports are checked under: the presets, and one with every rule on and actions
/// that differ from the presets'.
fn policies() -> Vec<Policy> {
    let mut all: Vec<Policy> = policy::PRESETS
        .iter()
        .map(|p| Policy::preset(p).unwrap())
        .collect();
    let mut every = Policy::preset("essnet").unwrap();
    every.name = "every-rule".into();
    every.p_percent = Some(policy::PPercent { p: 10.0 });
    every.pq = Some(policy::Pq { p: 10.0, q: 50.0 });
    every.zero.sampling = Action::Unsafe;
    every.negative = Action::Unsafe;
    every.missing = Action::Safe;
    every.additivity = Action::Unsafe;
    all.push(every);
    all
}

/// Reports of random tables (declared statuses, dof columns, zeros, missing and negative values) under every
/// policy, with every kind of finding: each validates against the schema, and reads back (verified) to the same
/// bytes.
#[test]
fn reports_of_random_tables_validate_and_read_back() {
    let v = validator();
    let mut rules = [0u64; RuleCode::ALL.len()];
    for seed in 0..120 {
        let table = random_table::table(seed).unwrap();
        for (i, policy) in policies().into_iter().enumerate() {
            let Ok(checked) = check_table(&table, &policy) else {
                continue;
            };
            for f in checked.cells().flat_map(|c| c.findings) {
                rules[f.rule as usize] += 1;
            }
            let report = Report {
                policy_sha256: (i % 2 == 0)
                    .then(|| cellguard_io::sha256_hex(policy.name.as_bytes())),
                policy,
                inputs: vec![cellguard_io::input_record("random.csv", b"a,b\n")],
                tables: vec![checked],
                // Every third report lists a file that could not be checked (once read, once refused unread).
                failed: match seed % 3 {
                    0 => vec![FailedInput {
                        name: "bad.csv".into(),
                        sha256: Some(cellguard_io::sha256_hex(b"a;b")),
                        bytes: 3,
                        error: "bad.csv: line 2 has 1 field; the header has 2".into(),
                    }],
                    1 => vec![FailedInput {
                        name: "huge.csv".into(),
                        sha256: None,
                        bytes: 1 << 40,
                        error: "huge.csv: beyond the page's 1 GiB".into(),
                    }],
                    _ => Vec::new(),
                },
            };
            let bytes = report.to_json();
            let json: Value = serde_json::from_slice(&bytes).unwrap();
            let errors: Vec<String> = v
                .iter_errors(&json)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "seed {seed}, {}: {errors:?}",
                report.policy.name
            );
            let read = cellguard_io::read_report("random.json", &bytes)
                .unwrap_or_else(|e| panic!("seed {seed}, {}: {e}", report.policy.name));
            assert_eq!(read.to_json(), bytes, "seed {seed}, {}", report.policy.name);
            // The compact report validates too, reads back (verified) with the full report's counts, and is
            // written again to the same bytes.
            let mut compact = Vec::new();
            report.write_json_compact(&mut compact).unwrap();
            let json: Value = serde_json::from_slice(&compact).unwrap();
            assert!(
                v.is_valid(&json),
                "seed {seed}, {}: compact",
                report.policy.name
            );
            let read = cellguard_io::read_report("compact.json", &compact)
                .unwrap_or_else(|e| panic!("seed {seed}, {}: compact: {e}", report.policy.name));
            assert_eq!(read.summary(), report.summary(), "seed {seed}");
            let listed = read.tables[0].len();
            let not_safe = report.tables[0]
                .statuses()
                .iter()
                .filter(|s| **s != cellguard_engine::Status::Safe)
                .count();
            assert_eq!(listed, not_safe, "seed {seed}");
            if listed < report.tables[0].len() {
                assert_eq!(
                    read.to_json(),
                    compact,
                    "seed {seed}, {}",
                    report.policy.name
                );
            }
        }
    }
    for r in RuleCode::ALL {
        assert!(rules[r as usize] > 0, "no `{}` finding", r.as_str());
    }
}

/// The field names of struct type `T`, as its `Deserialize` reads them (from the derive, so from the type).
pub(crate) fn fields<'de, T: serde::Deserialize<'de>>() -> Vec<&'static str> {
    use serde::de::{Error, Visitor, value};
    /// A deserializer that only notes the fields a struct asks for.
    struct Probe(Option<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &mut Probe {
        type Error = value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            self.0 = Some(fields);
            Err(value::Error::custom("fields noted"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe.0.expect("a struct type").to_vec()
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}

/// The object at `pointer` in the schema allows exactly the keys `fields` and requires all but `optional`
/// (the keys the writer leaves out when empty).
pub(crate) fn check(schema: &Value, pointer: &str, fields: Vec<&str>, optional: &[&str]) {
    let node = schema
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no `{pointer}` in the schema"));
    let properties = sorted(
        node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("`{pointer}` has no properties"))
            .keys()
            .map(String::as_str)
            .collect(),
    );
    let required = sorted(
        node["required"]
            .as_array()
            .unwrap_or_else(|| panic!("`{pointer}` has no required keys"))
            .iter()
            .filter_map(Value::as_str)
            .collect(),
    );
    let fields = sorted(fields);
    let must: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| !optional.contains(f))
        .collect();
    assert_eq!(
        properties, fields,
        "`{pointer}`: the schema's keys, the type's fields"
    );
    assert_eq!(required, must, "`{pointer}`: the schema's required keys");
    assert_eq!(
        node["additionalProperties"],
        Value::Bool(false),
        "`{pointer}` allows other keys"
    );
}

#[test]
fn the_schema_has_the_fields_of_the_report_types() {
    let text = std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap();
    let s: Value = serde_json::from_str(&text).unwrap();
    let table = "/$defs/table/properties";
    let policy = "/$defs/policy/properties";
    check(&s, "", fields::<ReadReport>(), &["failed", "only_not_safe"]);
    check(&s, "/properties/tool", fields::<Tool>(), &[]);
    check(&s, "/properties/inputs/items", fields::<InputRecord>(), &[]);
    check(&s, "/properties/failed/items", fields::<FailedInput>(), &[]);
    check(&s, "/$defs/summary", fields::<Summary>(), &[]);
    check(
        &s,
        "/$defs/table",
        fields::<TableFile<Vec<ReadCell>>>(),
        &[],
    );
    check(
        &s,
        &format!("{table}/dimensions/items"),
        fields::<DimensionSummary>(),
        &[],
    );
    check(
        &s,
        &format!("{table}/rules/items"),
        fields::<RuleUse>(),
        &["reason"],
    );
    check(
        &s,
        &format!("{table}/cells/items"),
        fields::<ReadCell>(),
        &[],
    );
    check(
        &s,
        &format!("{table}/cells/items/properties/findings/items"),
        fields::<FindingFile>(),
        &[],
    );
    // `suppression` is the policy file's table for `cellguard protect`: read, never written to a report.
    let written: Vec<&str> = fields::<Policy>()
        .into_iter()
        .filter(|f| *f != "suppression")
        .collect();
    check(&s, "/$defs/policy", written, &[]);
    check(
        &s,
        &format!("{policy}/threshold/oneOf/1"),
        fields::<policy::Threshold>(),
        &[],
    );
    check(
        &s,
        &format!("{policy}/dominance/items"),
        fields::<policy::Dominance>(),
        &[],
    );
    check(
        &s,
        &format!("{policy}/p_percent/oneOf/1"),
        fields::<policy::PPercent>(),
        &[],
    );
    check(
        &s,
        &format!("{policy}/pq/oneOf/1"),
        fields::<policy::Pq>(),
        &[],
    );
    check(
        &s,
        &format!("{policy}/class_disclosure/oneOf/1"),
        fields::<policy::ClassDisclosure>(),
        &[],
    );
    check(&s, &format!("{policy}/zero"), fields::<policy::Zero>(), &[]);
    check(
        &s,
        &format!("{policy}/dof/oneOf/1"),
        fields::<policy::Dof>(),
        &[],
    );
}

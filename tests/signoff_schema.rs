//! Packages and decisions validate against `schema/package.schema.json` and `schema/decisions.schema.json`, the
//! schemas reject broken ones, and their keys are the fields of the sign-off's types, so they cannot drift apart.

use crate::root;
use crate::schema::{check, fields};
use cellguard_signoff::manifest::PolicyEntry;
use cellguard_signoff::package::Described;
use cellguard_signoff::review::{self, Reviewer};
use cellguard_signoff::{
    CheckSummary, Decision, DecisionInput, Decisions, KeyPair, Manifest, Output, OutputKind,
    Package, Request, RequestKind, Verdict,
};
use serde_json::Value;

fn validator(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schema").join(file)).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn schema(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("schema").join(file)).unwrap())
        .unwrap()
}

/// A checked table with a request, and an image, reviewed and signed.
fn sample() -> (Package, Decisions) {
    let mut p = Package::new(
        "IVC/KSZG 24/194",
        "A. Researcher",
        "2026-12-06T09:00:00Z",
        "essnet",
        &cellguard_engine::Policy::preset("essnet")
            .unwrap()
            .to_toml(),
    )
    .unwrap();
    p.add(
        "wages by region.csv",
        b"region,n,value\nBXL,30,900\n".to_vec(),
        Described {
            kind: OutputKind::Table,
            description: "Mean wage".into(),
            comments: String::new(),
            requests: vec![Request {
                kind: RequestKind::StructuralZeros,
                justification: "No one under 18 works full time here.".into(),
            }],
        },
    )
    .unwrap();
    p.add(
        "trend.png",
        vec![1, 2, 3],
        Described {
            kind: OutputKind::Image,
            description: String::new(),
            comments: "From the table.".into(),
            requests: Vec::new(),
        },
    )
    .unwrap();
    let sha = p.manifest.policy.sha256.clone();
    p.set_check(
        "wages by region.csv",
        CheckSummary {
            policy_sha256: sha,
            tool: "cellguard 0.1.0".into(),
            cells: 1,
            safe: 1,
            review: 0,
            unsafe_cells: 0,
        },
    )
    .unwrap();
    let decide = |output: &str, decision, comment: &str| DecisionInput {
        output: output.into(),
        decision,
        comment: comment.into(),
    };
    let d = review::sign(
        &p,
        &[
            decide("wages by region.csv", Verdict::Approve, ""),
            decide("trend.png", Verdict::ReturnForChanges, "Label the axes."),
        ],
        &KeyPair::from_seed([9; 32]),
        "R. Viewer",
        "2026-12-06T10:00:00Z",
    )
    .unwrap();
    (p, d)
}

fn errors(v: &jsonschema::Validator, json: &Value) -> Vec<String> {
    v.iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn packages_and_decisions_validate() {
    let (p, d) = sample();
    let package: Value = serde_json::from_slice(&p.manifest_bytes()).unwrap();
    let decisions: Value = serde_json::from_slice(&d.to_json()).unwrap();
    assert_eq!(
        errors(&validator("package.schema.json"), &package),
        Vec::<String>::new()
    );
    assert_eq!(
        errors(&validator("decisions.schema.json"), &decisions),
        Vec::<String>::new()
    );
}

/// Each edit breaks what the schema promises, and the schema says so.
#[test]
fn the_schemas_reject_broken_files() {
    let (p, d) = sample();
    let package: Value = serde_json::from_slice(&p.manifest_bytes()).unwrap();
    let decisions: Value = serde_json::from_slice(&d.to_json()).unwrap();
    let v = validator("package.schema.json");
    for (pointer, bad) in [
        ("/format", Value::from("cellguard-package/2")),
        ("/outputs/0/name", Value::from("../etc/passwd")),
        ("/outputs/0/name", Value::from("trailing.")),
        ("/outputs/0/kind", Value::from("spreadsheet")),
        ("/outputs/0/sha256", Value::from("ABC")),
        ("/outputs/0/size", Value::from(-1)),
        ("/outputs/0/requests/0/justification", Value::from("")),
        ("/outputs/0/check/unsafe", Value::from("none")),
        ("/created", Value::from("yesterday")),
    ] {
        let mut broken = package.clone();
        *broken.pointer_mut(pointer).unwrap() = bad.clone();
        assert!(!errors(&v, &broken).is_empty(), "{pointer} = {bad}");
    }
    let v = validator("decisions.schema.json");
    for (pointer, bad) in [
        ("/decisions/0/decision", Value::from("maybe")),
        ("/signature", Value::from("00")),
        ("/reviewer/fingerprint", Value::from("abc")),
        ("/decisions/1/previous", Value::Null),
    ] {
        let mut broken = decisions.clone();
        *broken.pointer_mut(pointer).unwrap() = bad.clone();
        assert!(!errors(&v, &broken).is_empty(), "{pointer} = {bad}");
    }
}

#[test]
fn the_schemas_have_the_fields_of_the_types() {
    let s = schema("package.schema.json");
    check(&s, "", fields::<Manifest>(), &[]);
    check(&s, "/properties/policy", fields::<PolicyEntry>(), &[]);
    check(&s, "/$defs/output", fields::<Output>(), &[]);
    check(
        &s,
        "/$defs/output/properties/requests/items",
        fields::<Request>(),
        &[],
    );
    check(
        &s,
        "/$defs/output/properties/check/oneOf/1",
        fields::<CheckSummary>(),
        &[],
    );
    let s = schema("decisions.schema.json");
    check(&s, "", fields::<Decisions>(), &[]);
    check(&s, "/properties/reviewer", fields::<Reviewer>(), &[]);
    check(&s, "/$defs/decision", fields::<Decision>(), &[]);
}

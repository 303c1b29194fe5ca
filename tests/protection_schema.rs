//! Protection files validate against `schema/protection.schema.json` (a protected table, an audit with every
//! kind of shortfall, linked tables), the schema rejects a broken one, and its keys are the fields of the file's types.

use crate::root;
use crate::schema::{check, fields};
use cellguard_engine::Policy;
use cellguard_engine::suppress::file::{
    CellFile, IntervalFile, LevelsFile, ProtectionFile, SummaryFile, TableFile,
};
use cellguard_engine::suppress::{self, Options, Suppression};
use cellguard_io::TableRoles;
use serde_json::Value;

/// A region × sex count table with margins: R1/F = 2 and R2/X = 1 below the threshold, R2/M = 1 beside it.
const TABLE: &str = "region,sex,n\nR1,F,2\nR1,M,30\nR1,X,40\nR1,Total,72\nR2,F,20\nR2,M,1\nR2,X,1\nR2,Total,22\n\
R3,F,60\nR3,M,70\nR3,X,80\nR3,Total,210\nTotal,F,82\nTotal,M,101\nTotal,X,121\nTotal,Total,304\n";

fn files() -> Vec<Value> {
    let policy = Policy::preset("essnet").unwrap();
    let c = cellguard_io::check_file("t.csv", TABLE.as_bytes(), &TableRoles::default(), &policy)
        .unwrap();
    let protect = |options: Options| {
        let p =
            cellguard_io::protect::protect_checked(&c, &Suppression::default(), options, |_, _| {})
                .unwrap();
        ProtectionFile::new(
            &policy,
            &Suppression::default(),
            vec![c.input.clone()],
            vec![TableFile::of_protection(&c.report, &p)],
        )
    };
    let protected = protect(Options::default());
    assert!(protected.passed());
    // A pattern that leaves a primary published, another exact, and the two ones in R2 to each other.
    let mut pattern = vec![false; c.table.len()];
    for (i, cell) in c.report.cells().enumerate() {
        let row = cell.row;
        pattern[i] = [2, 7, 8].contains(&row);
    }
    let params = Suppression::default();
    let suppress::Audited {
        audit,
        levels,
        values,
    } = suppress::audit_pattern(&c.table, &c.report, &params, &pattern).unwrap();
    let audited = ProtectionFile::new(
        &policy,
        &params,
        vec![c.input.clone()],
        vec![TableFile::of_audit(
            &c.report, &pattern, &levels, &audit, &values,
        )],
    );
    assert!(!audited.passed());
    let optimal = protect(Options {
        method: suppress::Method::Optimal,
        ..Options::default()
    });
    assert!(optimal.passed());
    // The same persons by region alone, linked with the table: each table names the other.
    let regions = "region,n\nR1,72\nR2,22\nR3,210\nTotal,304\n";
    let r = cellguard_io::check_file("r.csv", regions.as_bytes(), &TableRoles::default(), &policy)
        .unwrap();
    let both = cellguard_io::protect::protect_linked_checked(
        &[&c, &r],
        &params,
        Options::default(),
        |_, _| {},
    )
    .unwrap();
    let tables: Vec<TableFile> = [(&c, "r.csv"), (&r, "t.csv")]
        .iter()
        .zip(&both)
        .map(|((checked, other), p)| {
            let mut f = TableFile::of_protection(&checked.report, p);
            f.linked_with = vec![(*other).to_owned()];
            f
        })
        .collect();
    let linked = ProtectionFile::new(
        &policy,
        &params,
        vec![c.input.clone(), r.input.clone()],
        tables,
    );
    assert!(linked.passed());
    [protected, audited, optimal, linked]
        .iter()
        .map(|f| serde_json::from_slice(&f.to_json()).unwrap())
        .collect()
}

#[test]
fn protection_files_validate_and_the_schema_rejects_broken_ones() {
    let text = std::fs::read_to_string(root().join("schema/protection.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let files = files();
    for f in &files {
        let errors: Vec<String> = v.iter_errors(f).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{f:#}");
    }
    // The audit names each kind of trouble it found.
    let kinds: Vec<&str> = files[1]["tables"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["shortfalls"].as_array().unwrap())
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"exact"), "{kinds:?}");
    let optimality = &files[2]["tables"][0]["summary"]["optimality"];
    assert_eq!(optimality["proven"], true, "{optimality}");
    assert_eq!(files[2]["tables"][0]["method"], "optimal");
    assert!(files[0]["tables"][0]["summary"]["optimality"].is_null());
    let mut broken = files[0].clone();
    broken["tables"][0]["summary"]["audit"] = "maybe".into();
    assert!(!v.is_valid(&broken));
    let mut broken = files[0].clone();
    broken["tables"][0]["cells"][0]["interval"]["min"] = "low".into();
    assert!(!v.is_valid(&broken));
}

#[test]
fn the_schema_has_the_fields_of_the_file_types() {
    let text = std::fs::read_to_string(root().join("schema/protection.schema.json")).unwrap();
    let s: Value = serde_json::from_str(&text).unwrap();
    check(&s, "", fields::<ProtectionFile>(), &[]);
    check(&s, "/$defs/suppression", fields::<Suppression>(), &[]);
    check(&s, "/$defs/table", fields::<TableFile>(), &["linked_with"]);
    check(
        &s,
        "/$defs/summary",
        fields::<SummaryFile>(),
        &["optimality"],
    );
    check(&s, "/$defs/cell", fields::<CellFile>(), &[]);
    check(
        &s,
        "/$defs/summary/properties/optimality/oneOf/1",
        fields::<suppress::optimal::Optimality>(),
        &[],
    );
    check(
        &s,
        "/$defs/cell/properties/levels/oneOf/1",
        fields::<LevelsFile>(),
        &[],
    );
    check(
        &s,
        "/$defs/cell/properties/interval",
        fields::<IntervalFile>(),
        &[],
    );
}

/// A version 1 file (no `optimality`) still reads, as the summary of a pattern without one.
#[test]
fn version_1_protection_files_still_read() {
    let golden =
        std::fs::read(root().join("tests/golden/protect_counts.essnet.protection.json")).unwrap();
    let mut old: Value = serde_json::from_slice(&golden).unwrap();
    old["schema"] = "cellguard-protection/1".into();
    for t in old["tables"].as_array_mut().unwrap() {
        t["summary"].as_object_mut().unwrap().remove("optimality");
    }
    let file: ProtectionFile = serde_json::from_value(old).unwrap();
    assert!(!file.tables.is_empty());
    assert!(file.tables.iter().all(|t| t.summary.optimality.is_none()));
}

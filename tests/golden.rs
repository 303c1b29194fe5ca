//! The same table as CSV (`;`, decimal comma), XLSX, Arrow IPC file (LZ4), Arrow stream and Parquet (snappy) gives
//! the same verdicts; the report is snapshotted once.

use crate::{check_file, root};

fn verdicts(file: &str, policy: &str) -> serde_json::Value {
    let report = check_file(&root().join("tests/corpus/good").join(file), policy).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&report.to_json()).unwrap();
    // Only the input's name and hash, and the row numbering (CSV line, sheet row, record number), differ.
    v["inputs"] = serde_json::Value::Null;
    for t in v["tables"].as_array_mut().unwrap() {
        t["name"] = serde_json::Value::Null;
        t["input"] = serde_json::Value::Null;
        for c in t["cells"].as_array_mut().unwrap() {
            c["row"] = serde_json::Value::Null;
        }
    }
    v
}

#[test]
fn every_format_gives_the_same_report() {
    for policy in ["acro", "essnet", "sdctable"] {
        let reference = verdicts("table_semicolon.csv", policy);
        for file in ["table.xlsx", "table.arrow", "table.arrows", "table.parquet"] {
            assert_eq!(verdicts(file, policy), reference, "{file} under {policy}");
        }
        insta::assert_json_snapshot!(format!("good_table_{policy}"), reference);
    }
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let path = root().join("tests/corpus/good/table.parquet");
    let a = check_file(&path, "essnet").unwrap().to_json();
    let b = check_file(&path, "essnet").unwrap().to_json();
    assert_eq!(a, b);
}

/// The report the browser test compares its Wasm output with (`web/tests/wasm.rs`): kept equal to the native one.
#[test]
fn native_golden_for_the_wasm_test_is_current() {
    let root = crate::root();
    let report = crate::check_file(
        &root.join("tests/corpus/good/table_semicolon.csv"),
        "essnet",
    )
    .unwrap();
    let golden = std::fs::read(root.join("tests/golden/table_semicolon.essnet.json")).unwrap();
    assert_eq!(
        String::from_utf8(report.to_json()).unwrap(),
        String::from_utf8(golden).unwrap(),
        "regenerate with: cd tests/corpus/good && cellguard check table_semicolon.csv --format json > ../../golden/table_semicolon.essnet.json"
    );
}

/// The protection files the browser test compares its Wasm output with (`web/tests/wasm.rs`): what `cellguard
/// protect` writes for `tests/golden/protect_counts.csv` (a 3-D count table with every margin) under essnet,
/// with `fast` and with `optimal` under the log cost.
#[test]
fn native_protection_goldens_are_current() {
    use cellguard_engine::suppress::{Cost, Method, Options};
    let root = crate::root();
    let bytes = std::fs::read(root.join("tests/golden/protect_counts.csv")).unwrap();
    let policy = cellguard_engine::Policy::preset("essnet").unwrap();
    let optimal = Options {
        method: Method::Optimal,
        cost: Cost::Log,
        time_limit: None,
    };
    for (options, golden, flags) in [
        (
            Options::default(),
            "protect_counts.essnet.protection.json",
            "",
        ),
        (
            optimal,
            "protect_counts.essnet.optimal-log.protection.json",
            " --method optimal --cost log",
        ),
    ] {
        let file = cellguard_io::protect::protection_file(
            "protect_counts.csv",
            &bytes,
            &cellguard_io::TableRoles::default(),
            &policy,
            &cellguard_engine::suppress::Suppression::default(),
            options,
        )
        .unwrap();
        assert!(file.passed());
        let want = std::fs::read(root.join("tests/golden").join(golden)).unwrap();
        assert_eq!(
            String::from_utf8(file.to_json()).unwrap(),
            String::from_utf8(want).unwrap(),
            "regenerate with: cd tests/golden && cellguard protect protect_counts.csv --policy essnet{flags} -o out && mv out/protection.json {golden}"
        );
    }
}

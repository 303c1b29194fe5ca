//! Every file of the bad-input corpus gets exactly the clear error or explained finding listed in `EXPECTED.tsv`,
//! and no file of the corpus is left without an expectation. The files named `fuzz_*` are inputs the fuzz
//! targets (`fuzz/`) found crashing a reader.

use crate::{check_file, root};
use std::collections::BTreeSet;

#[test]
fn bad_inputs_get_clear_errors_or_explained_findings() {
    let dir = root().join("tests/corpus/bad");
    let expected = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mut listed = BTreeSet::new();
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let [file, policy, outcome, want] = line.splitn(4, '\t').collect::<Vec<_>>()[..] else {
            panic!("bad line in EXPECTED.tsv: {line}")
        };
        listed.insert(file.to_string());
        let got = check_file(&dir.join(file), policy);
        match (outcome, got) {
            // `crash`: a dependency's reader panics on the file; natively that is this error (the page's worker
            // stops and is replaced, and the page says the reader crashed).
            ("error" | "crash", Err(msg)) => {
                assert!(
                    msg.contains(want),
                    "{file}: error `{msg}` should contain `{want}`"
                );
                assert!(
                    msg.starts_with(file),
                    "{file}: error `{msg}` should name the file"
                );
            }
            ("finding", Ok(report)) => {
                let t = &report.tables[0];
                let details: Vec<String> = t
                    .cells()
                    .flat_map(|c| c.findings)
                    .map(|f| format!("{}: {}", f.rule.as_str(), f.detail(&t.dimensions)))
                    .collect();
                assert!(
                    details.iter().any(|d| d.contains(want)),
                    "{file}: findings {details:?} should contain `{want}`"
                );
                assert!(
                    !report.all_safe(),
                    "{file}: a finding must keep the table from being all safe"
                );
            }
            (outcome, got) => panic!("{file}: expected {outcome}, got {got:?}"),
        }
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f != "EXPECTED.tsv")
        .collect();
    assert_eq!(
        on_disk, listed,
        "every corpus file needs a line in EXPECTED.tsv"
    );
}

/// Reading only some columns gives those columns of the whole read, in the file's order, in every format; a name
/// the file lacks reads every column (so the error that follows can list them).
/// Every error of the corpus is said in Dutch and French too, naming the file, without the English words it
/// is listed with.
#[test]
fn bad_input_errors_are_said_in_dutch_and_french() {
    let dir = root().join("tests/corpus/bad");
    let expected = std::fs::read_to_string(dir.join("EXPECTED.tsv")).unwrap();
    let mut said = 0;
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let [file, policy, outcome, want] = line.splitn(4, '\t').collect::<Vec<_>>()[..] else {
            panic!("bad line in EXPECTED.tsv: {line}")
        };
        if !matches!(outcome, "error" | "crash") {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let policy = cellguard_engine::Policy::preset(policy).unwrap();
        let roles = cellguard_io::TableRoles::default();
        let Err(e) = cellguard_io::check_file(file, &bytes, &roles, &policy) else {
            panic!("{file}: no error")
        };
        assert_eq!(e.in_lang(cellguard_engine::Lang::En), e.to_string());
        for lang in [cellguard_engine::Lang::Nl, cellguard_engine::Lang::Fr] {
            let text = e.in_lang(lang);
            assert!(
                text.starts_with(file),
                "{file}, {lang:?}: `{text}` should name the file"
            );
            assert!(
                !text.contains(want),
                "{file}, {lang:?}: `{text}` still says `{want}` in English"
            );
        }
        said += 1;
    }
    assert!(said >= 20, "only {said} errors");
}

#[test]
fn reading_some_columns_gives_those_of_the_whole_file() {
    let dir = root().join("tests/corpus/good");
    for file in [
        "table.arrow",
        "table.arrows",
        "table.parquet",
        "table.xlsx",
        "table_semicolon.csv",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let all = cellguard_io::read_frame(file, &bytes).unwrap();
        let some = cellguard_io::read_frame_columns(file, &bytes, &["top1", "sex", "n"]).unwrap();
        let names: Vec<&str> = some.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["sex", "n", "top1"], "{file}");
        for c in &some.columns {
            assert_eq!(Some(c), all.column(&c.name), "{file}: {}", c.name);
        }
        assert_eq!(some.rows(), all.rows(), "{file}");
        assert_eq!(some.decimal_comma, all.decimal_comma, "{file}");
        let missing = cellguard_io::read_frame_columns(file, &bytes, &["sex", "nope"]).unwrap();
        assert_eq!(missing.columns.len(), all.columns.len(), "{file}");
        // From shared bytes: the same frames.
        let shared = std::sync::Arc::new(bytes.clone());
        assert_eq!(
            cellguard_io::read_frame_shared(file, &shared).unwrap(),
            all,
            "{file}"
        );
        assert_eq!(
            cellguard_io::read_frame_columns_shared(file, &shared, &["top1", "sex", "n"]).unwrap(),
            some,
            "{file}"
        );
    }
}

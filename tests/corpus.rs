//! Every file of the bad-input corpus gets exactly the clear error or explained finding listed in `EXPECTED.tsv`,
//! and no file of the corpus is left without an expectation.

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
            ("error", Err(msg)) => {
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
                let details: Vec<String> = report.tables[0]
                    .cells()
                    .flat_map(|c| c.findings)
                    .map(|f| format!("{}: {}", f.rule.as_str(), f.detail()))
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

//! The fuzz targets' bodies (`fuzz/src/lib.rs`, run under libFuzzer by `scripts/fuzz.sh`) on the stable
//! toolchain: every target over every file of the corpus — the good and bad tables (among them the files the
//! fuzzers found, `tests/corpus/bad/fuzz_*`), the policies, a sign-off package and release bundle made by the
//! CLI (`tests/corpus/signoff`), the golden reports and protection files — none may
//! panic past the io crate's net, and the differential targets' readers agree on each.

#[path = "../fuzz/src/lib.rs"]
mod bodies;

use crate::root;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_target_takes_every_corpus_file() {
    let mut files = Vec::new();
    for dir in ["tests/corpus", "tests/golden"] {
        files_under(&root().join(dir), &mut files);
    }
    files.sort();
    let found = files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("fuzz_"))
        })
        .count();
    assert!(
        files.len() > 30 && found >= 3,
        "{} files, {found} found by fuzzing",
        files.len()
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for (name, target) in bodies::TARGETS {
            let run = std::panic::catch_unwind(|| target(&bytes));
            assert!(run.is_ok(), "target {name} on {}", file.display());
        }
    }
}

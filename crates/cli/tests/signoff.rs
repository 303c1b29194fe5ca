//! The sign-off from the command line, as a researcher and a reviewer use it: package, check, keygen, review,
//! verify; with the exit codes and messages of a tampered bundle, an untrusted key, a wrong passphrase, a broken
//! rule and unreadable input.

use cellguard_signoff::archive;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `dir` with the passphrase in the environment.
fn run(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellguard"))
        .args(args)
        .current_dir(dir)
        .env("CELLGUARD_PASSPHRASE", "correct horse battery")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cellguard-signoff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DECISIONS: &str = r#"
[[decision]]
output = "mean.csv"
decision = "reject"
comment = "Cells with too few units."

[[decision]]
output = "counts.csv"
decision = "approve"

[[decision]]
output = "note.txt"
decision = "approve"
comment = "A method note, no figures."
"#;

/// A package of two tables and a note, checked, reviewed and signed in `dir`: returns the bundle's path.
fn reviewed(dir: &Path) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/microdata.csv");
    let demo = demo.to_str().unwrap();
    for (out, by) in [("mean.csv", "region,origin"), ("counts.csv", "region")] {
        let mut args = vec![
            "tabulate",
            demo,
            "--rows",
            by,
            "--cols",
            "sex",
            "--unit",
            "person_id",
        ];
        if out == "mean.csv" {
            args.extend(["--value", "wage", "--agg", "mean"]);
        }
        args.extend(["-o", out]);
        assert_eq!(run(dir, &args).code, 0);
    }
    std::fs::write(dir.join("note.txt"), "Wages are 2022 euros.\n").unwrap();
    let new = run(
        dir,
        &[
            "package",
            "new",
            "p.zip",
            "--project",
            "IVC/KSZG 24/194",
            "--researcher",
            "A. Researcher",
        ],
    );
    assert_eq!(new.code, 0, "{}", new.stderr);
    let add = run(
        dir,
        &[
            "package",
            "add",
            "p.zip",
            "mean.csv",
            "counts.csv",
            "--request",
            "published-elsewhere=Statbel, table 4",
        ],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert_eq!(run(dir, &["package", "add", "p.zip", "note.txt"]).code, 0);
    // The mean table has unsafe cells: `check` says so and exits 1, and records the counts.
    let check = run(dir, &["package", "check", "p.zip"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check
            .stdout
            .contains("counts.csv: 8 cells, 8 safe, 0 to review, 0 unsafe"),
        "{}",
        check.stdout
    );
    let show = run(dir, &["package", "show", "p.zip"]).stdout;
    assert!(
        show.contains("request published-elsewhere: Statbel, table 4"),
        "{show}"
    );
    assert!(
        show.contains("- note.txt (text, 22 bytes): no rule checks it"),
        "{show}"
    );
    let keygen = run(dir, &["keygen", "--name", "R. Viewer"]);
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    std::fs::write(dir.join("d.toml"), DECISIONS).unwrap();
    let review = run(
        dir,
        &[
            "review",
            "p.zip",
            "--key",
            "reviewer.key.json",
            "--decisions",
            "d.toml",
        ],
    );
    assert_eq!(review.code, 0, "{}", review.stderr);
    assert!(
        review.stdout.contains("- mean.csv: reject"),
        "{}",
        review.stdout
    );
    dir.join("p.release.zip")
}

#[test]
fn package_review_verify_extract() {
    let dir = folder("round-trip");
    reviewed(&dir);
    let v = run(
        &dir,
        &[
            "verify",
            "p.release.zip",
            "--trust",
            "reviewer.pub.json",
            "--extract",
            "released",
        ],
    );
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(
        v.stdout.contains("ok counts.csv\nok note.txt\n"),
        "{}",
        v.stdout
    );
    let mut released: Vec<String> = std::fs::read_dir(dir.join("released"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    released.sort();
    assert_eq!(released, ["counts.csv", "note.txt"]);
    assert_eq!(
        std::fs::read(dir.join("released/counts.csv")).unwrap(),
        std::fs::read(dir.join("counts.csv")).unwrap()
    );
    // Extracting again does not overwrite what is there.
    let again = run(
        &dir,
        &[
            "verify",
            "p.release.zip",
            "--trust",
            "reviewer.pub.json",
            "--extract",
            "released",
        ],
    );
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(
        again.stderr.contains("must not exist yet"),
        "{}",
        again.stderr
    );
}

#[test]
fn tampered_untrusted_and_unreadable_bundles() {
    let dir = folder("tamper");
    let bundle = reviewed(&dir);
    let bytes = std::fs::read(&bundle).unwrap();
    let mut entries = archive::read("b", &bytes, &archive::Limits::default()).unwrap();
    entries.insert(
        "files/counts.csv".into(),
        b"region,sex,n\nBXL,F,31\n".to_vec(),
    );
    std::fs::write(dir.join("tampered.zip"), archive::write(&entries)).unwrap();
    let v = run(
        &dir,
        &[
            "verify",
            "tampered.zip",
            "--trust",
            "reviewer.pub.json",
            "--extract",
            "x",
        ],
    );
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout
            .contains("FAILED counts.csv: its bytes are not the approved ones"),
        "{}",
        v.stdout
    );
    assert!(v.stdout.contains("nothing extracted"), "{}", v.stdout);
    assert!(!dir.join("x").exists());
    // Another reviewer's key is not trusted.
    let other = folder("tamper-other");
    assert_eq!(run(&other, &["keygen", "--name", "Someone"]).code, 0);
    let trust = other.join("reviewer.pub.json");
    let v = run(
        &dir,
        &[
            "verify",
            "p.release.zip",
            "--trust",
            trust.to_str().unwrap(),
        ],
    );
    assert_eq!(v.code, 1);
    assert!(
        v.stdout.contains("which is not among the trusted keys"),
        "{}",
        v.stdout
    );
    // Unreadable input: exit 2 with what and where.
    let v = run(
        &dir,
        &["verify", "note.txt", "--trust", "reviewer.pub.json"],
    );
    assert_eq!(v.code, 2);
    assert!(
        v.stderr.contains("note.txt is not a zip archive"),
        "{}",
        v.stderr
    );
    let v = run(&dir, &["verify", "p.release.zip", "--trust", "note.txt"]);
    assert_eq!(v.code, 2);
    assert!(
        v.stderr.contains("note.txt: not a public key file"),
        "{}",
        v.stderr
    );
}

#[test]
fn reviewing_refuses_a_broken_rule_and_a_wrong_passphrase() {
    let dir = folder("rules");
    reviewed(&dir);
    std::fs::write(
        dir.join("bad.toml"),
        DECISIONS.replace(
            "decision = \"reject\"\ncomment = \"Cells with too few units.\"",
            "decision = \"approve\"",
        ),
    )
    .unwrap();
    let r = run(
        &dir,
        &[
            "review",
            "p.zip",
            "--key",
            "reviewer.key.json",
            "--decisions",
            "bad.toml",
            "-o",
            "b.zip",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("output `mean.csv`: a comment is required to approve a table with"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("b.zip").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_cellguard"))
        .args([
            "review",
            "p.zip",
            "--key",
            "reviewer.key.json",
            "--decisions",
            "d.toml",
            "-o",
            "c.zip",
        ])
        .current_dir(&dir)
        .env("CELLGUARD_PASSPHRASE", "not the passphrase")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the passphrase does not open this key file")
    );
    // The key file holds no secret in the clear: it does not sign without its passphrase, and its fields
    // other than `sealed` are the public ones.
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("reviewer.key.json")).unwrap()).unwrap();
    let public: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("reviewer.pub.json")).unwrap()).unwrap();
    assert_eq!(key["public_key"], public["public_key"]);
    let mut names: Vec<&str> = key
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "cipher",
            "fingerprint",
            "format",
            "kdf",
            "name",
            "nonce",
            "public_key",
            "sealed"
        ]
    );
}

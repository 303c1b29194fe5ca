//! `cellguard protect` and `cellguard audit` as a reviewer uses them: a table protected, its pattern audited
//! again from a column, a secondary removed (the audit names the cell it exposes), the same bytes on a second
//! run, and input that cannot be protected.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellguard"))
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cellguard-protect-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A region × sex count table with both margins; two cells below the threshold of 10 (R1/F = 2, R2/X = 1).
const INNER: [[u64; 3]; 4] = [[2, 30, 40], [20, 25, 1], [60, 70, 80], [15, 12, 33]];

fn table_csv(extra: Option<(&str, &dyn Fn(usize) -> String)>) -> String {
    let regions = ["R1", "R2", "R3", "R4", "Total"];
    let sexes = ["F", "M", "X", "Total"];
    let mut out = String::from("region,sex,n");
    if let Some((name, _)) = extra {
        out.push(',');
        out.push_str(name);
    }
    out.push('\n');
    let mut row = 0;
    for (i, r) in regions.iter().enumerate() {
        for (j, s) in sexes.iter().enumerate() {
            let n: u64 = match (i < 4, j < 3) {
                (true, true) => INNER[i][j],
                (true, false) => INNER[i].iter().sum(),
                (false, true) => INNER.iter().map(|x| x[j]).sum(),
                (false, false) => INNER.iter().flatten().sum(),
            };
            out.push_str(&format!("{r},{s},{n}"));
            if let Some((_, f)) = extra {
                out.push(',');
                out.push_str(&f(row));
            }
            out.push('\n');
            row += 1;
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// The status column of a protected CSV, row by row.
fn statuses(csv: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "cellguard_status")
        .unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().to_owned())
        .collect()
}

#[test]
fn protect_then_audit_the_pattern_again() {
    let dir = folder("roundtrip");
    let table = write(&dir, "counts.csv", &table_csv(None));
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let r = run(&[
        "protect", &table, "--policy", "essnet", "--cost", "unity", "-o", &out_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("counts.csv: 2 primaries"), "{}", r.stderr);
    assert!(r.stderr.contains("audit passed"), "{}", r.stderr);
    let csv = std::fs::read_to_string(out.join("counts.protected.csv")).unwrap();
    let st = statuses(&csv);
    // Every suppressed cell shows the mark; the two small cells are the primaries.
    for (line, s) in csv.lines().skip(1).zip(&st) {
        let n = line.split(',').nth(2).unwrap();
        assert_eq!(n == "x", s != "safe", "{line}");
    }
    assert_eq!(st[0], "unsafe"); // R1/F = 2
    assert_eq!(st[6], "unsafe"); // R2/X = 1
    // Both small cells fit in one rectangle (R1/F, R1/X, R2/F, R2/X): two secondaries protect both, the fewest
    // any pattern can have under the unity cost.
    let secondaries = st.iter().filter(|s| *s == "secondary").count();
    assert_eq!(
        (secondaries, st[2].as_str(), st[4].as_str()),
        (2, "secondary", "secondary"),
        "{st:?}"
    );
    let protection: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("protection.json")).unwrap()).unwrap();
    assert_eq!(protection["schema"], "cellguard-protection/2");
    let t = &protection["tables"][0];
    assert_eq!(t["summary"]["audit"], "passed");
    assert_eq!(t["summary"]["secondaries"], secondaries);
    for c in t["cells"].as_array().unwrap() {
        if c["role"] == "primary" {
            let (v, lo, hi) = (
                c["value"].as_f64().unwrap(),
                c["interval"]["min"].as_f64().unwrap(),
                c["interval"]["max"].as_f64().unwrap(),
            );
            let l = &c["levels"];
            assert!(hi - v >= l["upper"].as_f64().unwrap() - 1e-6, "{c}");
            assert!(v - lo >= l["lower"].as_f64().unwrap() - 1e-6, "{c}");
        } else {
            assert!(!c["protects"].as_array().unwrap().is_empty(), "{c}");
        }
    }
    // The same bytes on a second run.
    let again = dir.join("again");
    let r2 = run(&[
        "protect",
        &table,
        "--policy",
        "essnet",
        "--cost",
        "unity",
        "-o",
        &again.to_string_lossy(),
    ]);
    assert_eq!(r2.code, 0);
    for f in ["counts.protected.csv", "protection.json", "report.json"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }

    // The pattern as a column of the original table: the audit agrees.
    let with = |st: &[String]| {
        let st = st.to_vec();
        table_csv(Some(("pattern", &move |i| st[i].clone())))
    };
    let patterned = write(&dir, "patterned.csv", &with(&st));
    let r = run(&[
        "audit", &patterned, "--status", "pattern", "--policy", "essnet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("audit passed"), "{}", r.stderr);
    // Each secondary published in turn: some primary becomes exposed, and the audit names it by row.
    for k in (0..st.len()).filter(|&k| st[k] == "secondary") {
        let mut less = st.clone();
        less[k] = "safe".into();
        let p = write(&dir, "less.csv", &with(&less));
        let r = run(&["audit", &p, "--status", "pattern", "--policy", "essnet"]);
        assert_eq!(
            r.code,
            1,
            "publishing row {} should expose a primary: {}",
            k + 2,
            r.stderr
        );
        assert!(
            r.stderr.contains("audit FAILED") && r.stderr.contains("  row "),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn input_that_cannot_be_protected_is_an_error_that_says_where() {
    let dir = folder("bad");
    // R3's total is one short of its parts.
    let text = table_csv(None).replace("R3,Total,210", "R3,Total,209");
    let table = write(&dir, "counts.csv", &text);
    let r = run(&[
        "protect",
        &table,
        "--policy",
        "essnet",
        "-o",
        &dir.join("out").to_string_lossy(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The first total found that does not add up: the grand total, whose regions add up to one less.
    assert!(
        r.stderr.contains("row 21 (region=Total, sex=Total)") && r.stderr.contains("add up to 387"),
        "{}",
        r.stderr
    );
    // A pattern column with a word it does not know.
    let p = write(
        &dir,
        "p.csv",
        &table_csv(Some(("pattern", &|i| {
            if i == 3 {
                "maybe".into()
            } else {
                "safe".into()
            }
        }))),
    );
    let r = run(&["audit", &p, "--status", "pattern"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("row 5") && r.stderr.contains("`maybe`"),
        "{}",
        r.stderr
    );
    // A missing pattern column.
    let r = run(&["audit", &table, "--status", "pattern"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no column `pattern`"), "{}", r.stderr);
}

/// The policy file's `[suppression]` sets the levels `protect` uses (and records); `check` accepts the file and
/// leaves the table aside; a key it does not know is an error that names it.
#[test]
fn the_policy_file_sets_the_protection_levels() {
    let dir = folder("levels");
    let table = write(&dir, "counts.csv", &table_csv(None));
    let policy = write(
        &dir,
        "p.toml",
        "name = \"strict\"\n[threshold]\nmin_units = 10\n\n[suppression]\nsafety_range = 50.0\nmin_interval = 4.0\nsingletons = false\n",
    );
    let out = dir.join("out");
    let r = run(&[
        "protect",
        &table,
        "--policy",
        &policy,
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("protection.json")).unwrap()).unwrap();
    assert_eq!(p["suppression"]["safety_range"], 50.0);
    assert_eq!(p["suppression"]["singletons"], false);
    // R2/X = 1: 50 % of 1 is below the minimum interval of 4.
    let cell = p["tables"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coords"]["region"] == "R2" && c["coords"]["sex"] == "X")
        .unwrap()
        .clone();
    assert_eq!(cell["levels"]["upper"], 4.0);
    let r = run(&["check", &table, "--policy", &policy]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let bad = write(
        &dir,
        "bad.toml",
        "name = \"x\"\n[suppression]\nsafety_rang = 5.0\n",
    );
    let r = run(&[
        "protect",
        &table,
        "--policy",
        &bad,
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("safety_rang"), "{}", r.stderr);
}

/// `--method optimal` proves its pattern the cheapest (lower bound = cost, said on standard error and in the
/// protection file), writes the same bytes on a second run, and costs no more than `fast`; a time limit that
/// is not a positive number of seconds is refused before anything is read.
#[test]
fn optimal_proves_its_pattern_and_refuses_a_bad_time_limit() {
    let dir = folder("optimal");
    let table = write(&dir, "counts.csv", &table_csv(None));
    let protect = |method: &str, out: &str| {
        let out = dir.join(out);
        let r = run(&[
            "protect",
            &table,
            "--method",
            method,
            "--time-limit",
            "30",
            "-o",
            &out.to_string_lossy(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("protection.json")).unwrap()).unwrap();
        (r.stderr, file, out)
    };
    let (stderr, file, out) = protect("optimal", "o1");
    assert!(stderr.contains("proven optimal"), "{stderr}");
    let t = &file["tables"][0];
    assert_eq!(t["method"], "optimal");
    let cost = t["summary"]["cost_total"].as_f64().unwrap();
    assert_eq!(t["summary"]["optimality"]["proven"], true, "{t}");
    assert_eq!(
        t["summary"]["optimality"]["lower_bound"].as_f64(),
        Some(cost)
    );
    let (_, again, out2) = protect("optimal", "o2");
    assert_eq!(file, again);
    assert_eq!(
        std::fs::read(out.join("counts.protected.csv")).unwrap(),
        std::fs::read(out2.join("counts.protected.csv")).unwrap()
    );
    let (_, fast, _) = protect("fast", "f");
    assert!(fast["tables"][0]["summary"]["cost_total"].as_f64().unwrap() >= cost - 1e-9);
    assert!(fast["tables"][0]["summary"]["optimality"].is_null());
    for bad in ["0", "-3", "soon", "NaN"] {
        let r = run(&[
            "protect",
            &table,
            "--method",
            "optimal",
            &format!("--time-limit={bad}"),
            "-o",
            &dir.join("bad").to_string_lossy(),
        ]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("time"), "{bad}: {}", r.stderr);
    }
}

/// Region × sex and region × age counts of one set of persons (`ages[r][s]` per age group), both with their
/// margins, as CSV.
fn linked_pair(counts: &[[[u64; 2]; 3]; 4]) -> (String, String) {
    let regions = ["R1", "R2", "R3", "R4", "Total"];
    let (sexes, ages) = (["F", "M", "X", "Total"], ["young", "old", "Total"]);
    let at = |r: usize, s: usize, a: usize| -> u64 {
        let rs: Vec<usize> = if r < 4 { vec![r] } else { (0..4).collect() };
        let ss: Vec<usize> = if s < 3 { vec![s] } else { (0..3).collect() };
        let as_: Vec<usize> = if a < 2 { vec![a] } else { (0..2).collect() };
        let mut n = 0;
        for &r in &rs {
            for &s in &ss {
                for &a in &as_ {
                    n += counts[r][s][a];
                }
            }
        }
        n
    };
    let mut by_sex = String::from("region,sex,n\n");
    let mut by_age = String::from("region,age,n\n");
    for (r, region) in regions.iter().enumerate() {
        for (s, sex) in sexes.iter().enumerate() {
            by_sex.push_str(&format!("{region},{sex},{}\n", at(r, s, 2)));
        }
        for (a, age) in ages.iter().enumerate() {
            by_age.push_str(&format!("{region},{age},{}\n", at(r, 3, a)));
        }
    }
    (by_sex, by_age)
}

/// Two tables of one set of persons protected as linked tables: a region's total, which both publish, is
/// suppressed in both or in neither (R3's, below the threshold, in both); the protection file says which tables were linked. Tables of other persons
/// are refused, naming the total they disagree on.
#[test]
fn linked_tables_are_protected_as_one() {
    let dir = folder("linked");
    let counts = [
        [[1, 14], [12, 9], [7, 3]],
        [[22, 18], [2, 30], [11, 12]],
        [[1, 2], [1, 1], [1, 2]],
        [[9, 8], [15, 16], [20, 21]],
    ];
    let (by_sex, by_age) = linked_pair(&counts);
    let a = write(&dir, "by_sex.csv", &by_sex);
    let b = write(&dir, "by_age.csv", &by_age);
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let r = run(&[
        "protect", &a, &b, "--linked", "--policy", "essnet", "-o", &out_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let (sa, sb) = (
        statuses(&read("by_sex.protected.csv")),
        statuses(&read("by_age.protected.csv")),
    );
    // The regions' totals (and the grand total): row 4 of every 4 in by_sex, row 3 of every 3 in by_age.
    let mut suppressed_totals = 0;
    for r in 0..5 {
        let (x, y) = (&sa[r * 4 + 3], &sb[r * 3 + 2]);
        assert_eq!(
            x == "safe",
            y == "safe",
            "region {r}: {x} in by_sex, {y} in by_age"
        );
        suppressed_totals += usize::from(x != "safe");
    }
    // R3's total (8 persons) is a primary of both; the grand total is published.
    assert!(sa[11] == "unsafe" && sb[8] == "unsafe", "{sa:?} {sb:?}");
    assert!(suppressed_totals >= 1 && sa[19] == "safe", "{sa:?}");
    let protection: serde_json::Value = serde_json::from_str(&read("protection.json")).unwrap();
    assert_eq!(
        protection["tables"][0]["linked_with"],
        serde_json::json!([b])
    );
    assert_eq!(
        protection["tables"][1]["linked_with"],
        serde_json::json!([a])
    );
    assert_eq!(protection["tables"][0]["summary"]["audit"], "passed");
    // The two patterns audited again together, from each table with a pattern column.
    let with_pattern = |csv: &str, statuses: &[String]| -> String {
        let mut lines = csv.lines();
        let mut out = format!("{},pattern\n", lines.next().unwrap());
        for (line, st) in lines.zip(statuses) {
            out.push_str(&format!(
                "{line},{}\n",
                if st == "safe" { "s" } else { "x" }
            ));
        }
        out
    };
    let pa = write(&dir, "by_sex_pattern.csv", &with_pattern(&by_sex, &sa));
    let pb = write(&dir, "by_age_pattern.csv", &with_pattern(&by_age, &sb));
    let audit_json = dir.join("audit.json");
    let audit_s = audit_json.to_string_lossy().into_owned();
    let r = run(&[
        "audit", &pa, &pb, "--status", "pattern", "--linked", "-o", &audit_s,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&audit_json).unwrap()).unwrap();
    assert_eq!(audited["tables"][0]["linked_with"], serde_json::json!([pb]));
    assert_eq!(audited["tables"][1]["method"], "audit");
    // R3's total, a primary of both, published in the second table: the audit fails.
    let mut leaky = sb.clone();
    leaky[8] = "safe".into();
    let pc = write(&dir, "by_age_leaky.csv", &with_pattern(&by_age, &leaky));
    let r = run(&["audit", &pa, &pc, "--status", "pattern", "--linked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Another set of persons in the second table.
    let mut other = counts;
    other[0][0][0] += 5;
    let (_, by_age_other) = linked_pair(&other);
    let c = write(&dir, "by_age_other.csv", &by_age_other);
    let r = run(&["protect", &a, &c, "--linked", "-o", &out_s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("do not agree on the total of (region=R1)"),
        "{}",
        r.stderr
    );
    let r = run(&["protect", &a, "--linked", "-o", &out_s]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--linked: give two tables or more"),
        "{}",
        r.stderr
    );
}
